//! NET013: firewalld's runtime rules and its permanent configuration disagree on the port.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::Context;
use crate::firewall::eval::Verdict;
use crate::firewall::firewalld::Permanent;
use crate::firewall::{Backend, Origin, SourceVerdict, firewalld};

/// The port is open only at runtime (lost on reload), or only in the permanent
/// configuration (not loaded yet).
pub(crate) struct FirewalldDrift;

const META: CheckMeta = CheckMeta {
    code: "NET013",
    slug: "firewalld-runtime-permanent-drift",
    domain: Domain::Net,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "firewalld's runtime and permanent configuration disagree about the port",
    ok_title: "firewalld's runtime and permanent configuration agree about the port",
    doc: include_str!("../../../../docs/checks/NET013.md"),
};

/// The LAN verdict of the running rules, the zone it comes from and that zone's permanent
/// configuration; or why they cannot be compared.
fn inputs(context: &Context) -> Result<(&SourceVerdict, String, Permanent), String> {
    let Some(state) = &context.firewall else {
        return Err("the firewall rules were not read before the deadline".to_owned());
    };
    if state.backend != Backend::Firewalld {
        return Err("firewalld does not manage the firewall here".to_owned());
    }
    let lan = context
        .verdicts
        .iter()
        .filter(|v| v.from == Origin::Lan)
        .min_by_key(|v| v.family)
        .ok_or_else(|| "this machine has no LAN address to judge".to_owned())?;
    if lan.verdict == Verdict::Unknown {
        return Err("the running rules' verdict for LAN clients is unknown (NET012)".to_owned());
    }
    let zone = lan
        .rule
        .as_deref()
        .and_then(firewalld::zone_of)
        .or_else(|| state.firewalld.as_ref().map(|f| f.default_zone.clone()))
        .unwrap_or_else(|| "public".to_owned());
    let permanent =
        firewalld::permanent(context.host.as_ref(), &zone, context.port).ok_or_else(|| {
            format!("firewalld's permanent configuration of zone {zone} could not be read")
        })?;
    Ok((lan, zone, permanent))
}

impl Check<Context> for FirewalldDrift {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        inputs(context).err()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok((lan, zone, permanent)) = inputs(context) else {
            return Vec::new();
        };
        let port = context.port;
        let runtime_open = lan.verdict == Verdict::Accept;
        let blocked = matches!(lan.verdict, Verdict::Drop | Verdict::Reject);
        let (title, message, fix) = if runtime_open && !permanent.allows {
            (
                format!("Port {port}/tcp is open in zone {zone} only until the next reload"),
                format!(
                    "The running rules accept port {port} ({}), but the permanent configuration \
                     of zone {zone} ({}) does not open it. `firewall-cmd --reload`, a restart of \
                     firewalld or a reboot closes the port again: it was opened with \
                     `firewall-cmd --add-port` without `--permanent`.",
                    lan.rule.as_deref().unwrap_or("a rule"),
                    permanent.file.display()
                ),
                Fix::command(format!(
                    "sudo firewall-cmd --permanent --zone={zone} --add-port={port}/tcp"
                )),
            )
        } else if blocked && permanent.allows {
            (
                format!(
                    "Port {port}/tcp is opened in zone {zone}'s permanent configuration but not loaded"
                ),
                format!(
                    "{} opens it ({}), but the running rules {} it: the permanent change was \
                     never loaded (`firewall-cmd --permanent` changes nothing until \
                     `--reload`).",
                    permanent.file.display(),
                    permanent.how.as_deref().unwrap_or("an entry"),
                    lan.verdict.as_str()
                ),
                Fix::command("sudo firewall-cmd --reload"),
            )
        } else {
            return Vec::new();
        };
        vec![
            Finding::new(&META, title, message)
                .subject(format!("port {port}"))
                .location(Location::file(&permanent.file))
                .evidence(Evidence::file(format!(
                    "{}: {}",
                    permanent.file.display(),
                    permanent.how.as_deref().map_or_else(
                        || format!("no port {port}/tcp, no service with it"),
                        |how| format!("opens it by {how}")
                    )
                )))
                .evidence(Evidence::command(format!(
                    "nft -j list ruleset  →  {} from the LAN: {}{}",
                    lan.family.as_str(),
                    lan.verdict.as_str(),
                    lan.rule
                        .as_deref()
                        .map(|r| format!(" by {r}"))
                        .unwrap_or_default()
                )))
                .fix(fix),
        ]
    }
}
