//! File edits the checks propose: a corrected nsswitch.conf hosts line, a resolved drop-in,
//! a resolv.conf nameserver. Each transform is idempotent (run on its own output it changes
//! nothing), so applying a fix twice is a no-op.

use std::path::Path;

use godiag_core::edit;
use godiag_core::finding::{Fix, FixEdit};

use crate::context::Context;
use crate::model::go_order::FileState;
use crate::parse::nsswitch::{Action, GlibcSource, Status};
use crate::read::{NSSWITCH_CONF, RESOLV_CONF};

/// Sources that may answer a DNS name: a `[NOTFOUND=return]` before the first of them ends
/// every lookup /etc/hosts cannot answer.
pub(crate) fn is_dns_capable(name: &str) -> bool {
    matches!(name, "dns" | "resolve")
}

/// Sources that answer NOTFOUND only for their own kind of name (`.local` for mDNS) and
/// UNAVAIL otherwise, so a `[NOTFOUND=return]` after them is harmless for other names.
pub(crate) fn is_scoped(name: &str) -> bool {
    name.starts_with("mdns")
}

/// The sources before the first DNS-capable one whose actions stop on NOTFOUND.
pub(crate) fn stops_before_dns(sources: &[GlibcSource]) -> Vec<&GlibcSource> {
    sources
        .iter()
        .take_while(|source| !is_dns_capable(&source.name))
        .filter(|source| !is_scoped(&source.name))
        .filter(|source| source.action(Status::Notfound) == Action::Return)
        .collect()
}

/// The hosts line with the problems godiag knows how to correct removed, or `None` when it
/// is already right (or there is no line to correct).
pub(crate) fn corrected_hosts_line(context: &Context) -> Option<(u32, Vec<u32>, String)> {
    let FileState::Read(nss) = &context.system.nsswitch else {
        return None;
    };
    let hosts = nss.glibc.hosts.as_ref()?;
    let line = hosts.line?;
    let resolve_usable = context.system.resolved.running
        && context
            .system
            .nss_modules
            .iter()
            .any(|module| module.name == "resolve" && module.library.is_some());
    let stopping: Vec<String> = stops_before_dns(&hosts.sources)
        .iter()
        .map(|source| source.name.clone())
        .collect();
    let mut words = Vec::new();
    let has_resolve = hosts.sources.iter().any(|s| s.name == "resolve");
    for source in &hosts.sources {
        if source.name.starts_with('#') {
            break;
        }
        if source.name == "systemd" {
            if resolve_usable && !has_resolve {
                words.push("resolve [!UNAVAIL=return]".to_owned());
            }
            continue;
        }
        let items: Vec<String> = source
            .items
            .iter()
            .filter(|item| {
                !(stopping.contains(&source.name)
                    && ((!item.negate && item.status == Status::Notfound)
                        || (item.negate && item.status != Status::Notfound))
                    && item.action == Action::Return)
            })
            .map(crate::parse::nsswitch::ActionItem::display)
            .collect();
        if items.is_empty() {
            words.push(source.name.clone());
        } else {
            words.push(format!("{} [{}]", source.name, items.join(" ")));
        }
    }
    if !words.iter().any(|w| {
        let name = w.split(' ').next().unwrap_or_default();
        is_dns_capable(name)
    }) {
        words.push("dns".to_owned());
    }
    let current = current_line(context, line)?;
    let prefix = current.find(':').map_or_else(
        || "hosts: ".to_owned(),
        |colon| {
            let rest = &current[colon + 1..];
            let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let gap = &rest[..spaces];
            // Keep the file's alignment, but never a tab (Go splits only on spaces).
            let gap = if gap.contains('\t') || gap.is_empty() {
                " "
            } else {
                gap
            };
            format!("hosts:{gap}")
        },
    );
    let new_line = format!("{prefix}{}", words.join(" "));
    (new_line != current || !hosts.replaced.is_empty())
        .then(|| (line, hosts.replaced.clone(), new_line))
}

fn current_line(context: &Context, line: u32) -> Option<String> {
    let bytes = context.host.read(Path::new(NSSWITCH_CONF)).ok()?;
    String::from_utf8_lossy(&bytes)
        .split('\n')
        .nth(line.saturating_sub(1) as usize)
        .map(|l| l.trim_end_matches('\r').to_owned())
}

/// Replaces line `line` with `new_line` and comments out the `replaced` lines.
fn rewrite_lines(text: &str, line: u32, replaced: &[u32], new_line: &str) -> String {
    let mut out: Vec<String> = text.split('\n').map(str::to_owned).collect();
    for (index, current) in out.iter_mut().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if number == line {
            new_line.clone_into(current);
        } else if replaced.contains(&number) && !current.starts_with('#') {
            *current = format!(
                "# {current}   # replaced by line {line}; glibc used only the last hosts line"
            );
        }
    }
    out.join("\n")
}

/// The fix that writes the corrected hosts line, when there is one.
pub(crate) fn hosts_line_fix(context: &Context, why: &str) -> Option<Fix> {
    let (line, replaced, new_line) = corrected_hosts_line(context)?;
    let planned = edit::plan(context.host.as_ref(), Path::new(NSSWITCH_CONF), |text| {
        let text = text.unwrap_or_default();
        // The edit is planned against what the file holds; if the line moved, change nothing.
        if text
            .split('\n')
            .nth(line.saturating_sub(1) as usize)
            .is_none()
        {
            return text.to_owned();
        }
        rewrite_lines(text, line, &replaced, &new_line)
    })
    .ok()?;
    if planned.is_noop() {
        return None;
    }
    // The file's column alignment belongs in the edit, not in the sentence that quotes it.
    let shown = new_line.split_whitespace().collect::<Vec<_>>().join(" ");
    // The hosts line decides how every program on the machine resolves names.
    Some(
        Fix::edit(
            format!("{why}: set the hosts line to `{shown}`"),
            vec![planned.to_fix_edit()],
        )
        .mark_unsafe(),
    )
}

/// An edit that removes the `[...]` block around `column` on `line`.
pub(crate) fn remove_bracket_fix(context: &Context, line: u32, column: u32) -> Option<FixEdit> {
    let planned = edit::plan(context.host.as_ref(), Path::new(NSSWITCH_CONF), |text| {
        let text = text.unwrap_or_default();
        let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        if let Some(current) = lines.get_mut(line.saturating_sub(1) as usize) {
            let at = (column as usize).saturating_sub(1).min(current.len());
            if let Some(open) = current[..at.min(current.len())]
                .rfind('[')
                .or_else(|| current[at..].find('[').map(|o| o + at))
            {
                let close = current[open..]
                    .find(']')
                    .map_or(current.len(), |c| open + c + 1);
                let mut fixed = format!(
                    "{}{}",
                    current[..open].trim_end(),
                    if close < current.len() { " " } else { "" }
                );
                fixed.push_str(current[close..].trim_start());
                *current = fixed.trim_end().to_owned();
            }
        }
        lines.join("\n")
    })
    .ok()?;
    (!planned.is_noop()).then(|| planned.to_fix_edit())
}

/// The domain to route for a host name: the name without its first label, when that leaves
/// at least two labels (`git.corp.example` → `corp.example`), else the name itself.
#[must_use]
pub fn routing_domain(name: &str) -> String {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    match name.split_once('.') {
        Some((_, rest)) if rest.contains('.') => rest.to_owned(),
        _ => name,
    }
}

/// The resolved drop-in godiag writes for a domain.
#[must_use]
pub fn drop_in_path(domain: &str) -> String {
    format!("/etc/systemd/resolved.conf.d/godiag-{domain}.conf")
}

/// True when systemd-resolved is installed or configured here.
pub(crate) fn resolved_present(context: &Context) -> bool {
    context.system.resolved.running
        || !context.system.resolved.settings.files.is_empty()
        || context
            .host
            .metadata(Path::new("/etc/systemd/resolved.conf.d"))
            .is_ok_and(|meta| meta.is_dir)
}

/// A drop-in that sends `domain` to `server`, plus the restart, or the run-time commands.
pub(crate) fn resolved_route_fix(
    context: &Context,
    server: &str,
    domain: &str,
    link: Option<&str>,
) -> Option<Fix> {
    let drop_in = drop_in_path(domain);
    let body = format!(
        "# Written by godiag: send {domain} to {server}, and only {domain}.\n[Resolve]\nDNS={server}\nDomains=~{domain}\n"
    );
    let planned = edit::plan(context.host.as_ref(), Path::new(&drop_in), |_| body.clone()).ok()?;
    let runtime = link.map_or_else(String::new, |link| {
        format!(" At run time instead (until reboot): `sudo resolvectl dns {link} {server} && sudo resolvectl domain {link} '~{domain}'`.")
    });
    // Every lookup of the domain on the machine goes to the new server.
    Some(
        Fix::edit(
            format!(
                "route {domain} to {server} in systemd-resolved, then `sudo systemctl restart systemd-resolved`.{runtime}"
            ),
            vec![planned.to_fix_edit()],
        )
        .mark_unsafe(),
    )
    .filter(|_| !planned.is_noop())
}

/// Puts `nameserver SERVER` first in resolv.conf (glibc and Go ask servers in order and stop
/// at the first NXDOMAIN), unless the file is generated.
pub(crate) fn resolv_conf_server_fix(context: &Context, server: &str) -> Fix {
    let generated = context.system.resolv_conf_target.is_some()
        || context.system.resolv_conf_header.iter().any(|line| {
            let lower = line.to_ascii_lowercase();
            lower.contains("generated") || lower.contains("do not edit")
        });
    let manual = || {
        Fix::manual(format!(
            "make `{server}` the first nameserver of the generator of /etc/resolv.conf              (NetworkManager: `nmcli connection modify CONN ipv4.dns {server}`; resolvconf:              /etc/resolvconf/resolv.conf.d/head); it must also resolve public names"
        ))
    };
    if generated {
        return manual();
    }
    let is_this = |l: &str| {
        let mut fields = l.split_whitespace();
        fields.next() == Some("nameserver") && fields.next() == Some(server)
    };
    let planned = edit::plan(context.host.as_ref(), Path::new(RESOLV_CONF), |text| {
        let text = text.unwrap_or_default();
        if text
            .lines()
            .find(|l| l.starts_with("nameserver"))
            .is_some_and(is_this)
        {
            return text.to_owned();
        }
        let added = format!("nameserver {server}   # added by godiag\n");
        let mut out = Vec::new();
        let mut inserted = false;
        for current in text.split_inclusive('\n') {
            if !inserted && current.starts_with("nameserver") {
                out.push(added.clone());
                inserted = true;
            }
            if !is_this(current) {
                out.push(current.to_owned());
            }
        }
        if !inserted {
            if !text.is_empty() && !text.ends_with('\n') {
                out.push("\n".into());
            }
            out.push(added);
        }
        out.concat()
    });
    match planned {
        // Every name the machine looks up goes to the new server first.
        Ok(planned) if !planned.is_noop() => Fix::edit(
            format!("ask {server} first (it must also resolve public names, or forward them)"),
            vec![planned.to_fix_edit()],
        )
        .mark_unsafe(),
        _ => manual(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn routing_domain_drops_the_host_label() {
        assert_eq!(routing_domain("git.corp.example"), "corp.example");
        assert_eq!(routing_domain("Git.Corp.Example."), "corp.example");
        assert_eq!(routing_domain("corp.example"), "corp.example");
        assert_eq!(routing_domain("git"), "git");
    }

    use super::*;

    #[test]
    fn rewrite_replaces_and_comments_out() {
        let text = "passwd: files\nhosts: files\nhosts: files [NOTFOUND=return] dns\n";
        let out = rewrite_lines(text, 3, &[2], "hosts: files dns");
        assert_eq!(
            out,
            "passwd: files\n# hosts: files   # replaced by line 3; glibc used only the last hosts line\nhosts: files dns\n"
        );
        assert_eq!(rewrite_lines(&out, 3, &[2], "hosts: files dns"), out);
    }
}
