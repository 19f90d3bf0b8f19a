//! The command-line interface definition; `godiag completions` and the man page come from it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

/// A doctor for Go developers' machines and Go services' environments.
#[derive(Debug, Parser)]
#[command(name = "godiag", version, about, long_about = None, propagate_version = true)]
pub struct Args {
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
    /// How the report is written; every command takes these.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Which machine to diagnose, given before the command (`godiag --root DIR dns HOST`).
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// How the report is written: options every command takes, anywhere on the line.
#[derive(Debug, Clone, ClapArgs)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human, global = true)]
    pub format: FormatArg,
    /// Show evidence for every finding and details of passed checks.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Show only problems and the summary.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Never colour output (`NO_COLOR` is honoured too).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// How long all checks together may take, e.g. 3s or 500ms.
    #[arg(long, value_parser = parse_duration, default_value = "3s", global = true)]
    pub deadline: Duration,
    /// Exit 1 on warnings too.
    #[arg(long, global = true)]
    pub strict: bool,
}

/// Which machine a diagnosing command looks at.
///
/// Not a global option: the commands that diagnose a machine flatten it themselves (so it
/// may also follow them), and commands to which a machine means nothing, such as servers,
/// do not take it.
#[derive(Debug, Clone, Default, ClapArgs)]
pub struct MachineArgs {
    /// Diagnose a copy of a machine's files under DIR instead of this machine.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// With --root: the environment of the diagnosed process (NAME=value lines).
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
}

/// `--fix`, for every command whose findings propose file edits.
#[derive(Debug, Clone, Copy, Default, ClapArgs)]
pub struct FixArgs {
    /// Apply the safe file edits the findings propose (a backup is kept beside each file).
    #[arg(long)]
    pub fix: bool,
    /// With --fix: do not ask for confirmation.
    #[arg(long, requires = "fix")]
    pub yes: bool,
    /// With --fix: also apply unsafe edits, those that change how the whole machine resolves
    /// names or reaches the network.
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
}

/// The options of one run: [`OutputArgs`], and [`MachineArgs`] from wherever they were given.
#[derive(Debug, Clone)]
pub struct GlobalArgs {
    /// How the report is rendered.
    pub format: FormatArg,
    /// The copy of a machine's files to diagnose; this machine when `None`.
    pub root: Option<PathBuf>,
    /// The environment of the diagnosed process, for a `root`.
    pub env_file: Option<PathBuf>,
    /// List every check, with evidence.
    pub verbose: bool,
    /// Print only problems, and nothing about what `--fix` did.
    pub quiet: bool,
    /// Never colour the output.
    pub no_color: bool,
    /// How long all checks together may take.
    pub deadline: Duration,
    /// Warnings exit 1 too.
    pub strict: bool,
}

impl Args {
    /// Returns the options of this run, with `--root`/`--env-file` taken from after the
    /// command or, failing that, from before it.
    pub fn global(&self) -> Result<GlobalArgs, UsageError> {
        let after = self.command.machine();
        let pick = |own: Option<&PathBuf>, top: Option<&PathBuf>| own.or(top).cloned();
        let root = pick(
            after.and_then(|m| m.root.as_ref()),
            self.machine.root.as_ref(),
        );
        let env_file = pick(
            after.and_then(|m| m.env_file.as_ref()),
            self.machine.env_file.as_ref(),
        );
        if env_file.is_some() && root.is_none() {
            return Err(UsageError::EnvFileWithoutRoot);
        }
        if after.is_none() && self.machine.root.is_some() {
            return Err(UsageError::NoMachine(self.command.name()));
        }
        let output = &self.output;
        Ok(GlobalArgs {
            format: output.format,
            root,
            env_file,
            verbose: output.verbose,
            quiet: output.quiet,
            no_color: output.no_color,
            deadline: output.deadline,
            strict: output.strict,
        })
    }
}

/// A combination of arguments that parses but means nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// `--env-file` without `--root`.
    #[error("--env-file needs --root: it is the environment of the machine under --root")]
    EnvFileWithoutRoot,
    /// `--root` before a command that diagnoses no machine.
    #[error("`godiag {0}` looks at no machine, so --root means nothing to it")]
    NoMachine(&'static str),
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Grouped report for people.
    Human,
    /// JSON report (schema godiag.report/v2).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// `node_exporter` textfile collector format.
    Prometheus,
}

/// The subcommands; each variant's doc is its `--help` text.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every check that applies to this machine.
    Doctor {
        /// Also check reachability of this TCP port (repeatable); listening Go programs'
        /// ports are checked anyway.
        #[arg(long = "port", value_name = "PORT", value_parser = parse_port)]
        ports: Vec<u16>,
        /// Which machine.
        #[command(flatten)]
        machine: MachineArgs,
    },
    /// Go environment and modules.
    Go {
        /// What to look at.
        #[command(subcommand)]
        command: GoCommand,
    },
    /// Why a server on a TCP port is or is not reachable: listeners, binds, probes, firewall,
    /// WSL and containers.
    Port {
        /// The TCP port, e.g. 8080.
        #[arg(value_parser = parse_port)]
        port: u16,
        /// Which machine.
        #[command(flatten)]
        machine: MachineArgs,
    },
    /// Lint OpenTelemetry Collector configs, Jaeger sampling strategies files and NSS maps.
    Lint(LintArgs),
    /// Trace a host name through nsswitch, NSS modules, systemd-resolved and resolv.conf, and
    /// predict which resolver Go will use for it.
    Dns(DnsArgs),
    /// Lint a Prometheus exposition the way promtool does, plus conventions and cardinality.
    Metrics(MetricsArgs),
    /// Install or remove the NSS module `libnss_godiag.so.2`, which resolves private names
    /// from a map (fixed addresses or per-domain DNS servers) for git, curl, ssh and cgo
    /// programs.
    Nss {
        /// What to do.
        #[command(subcommand)]
        command: NssCommand,
    },
    /// Print the page of a check code.
    Explain {
        /// The code, e.g. GO004.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title.
        #[arg(long)]
        list: bool,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell to write the completion script for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these definitions.
    Man,
}

impl Command {
    /// Returns the machine options given after the command; `None` for a command that looks
    /// at no machine.
    #[must_use]
    pub fn machine(&self) -> Option<&MachineArgs> {
        match self {
            Self::Doctor { machine, .. }
            | Self::Port { machine, .. }
            | Self::Go {
                command: GoCommand::Env { machine, .. } | GoCommand::Fetch { machine, .. },
            } => Some(machine),
            Self::Lint(args) => Some(&args.machine),
            Self::Dns(args) => Some(&args.machine),
            Self::Metrics(args) => Some(&args.machine),
            Self::Nss {
                command: NssCommand::Install(args),
            } => Some(&args.machine),
            Self::Nss {
                command: NssCommand::Uninstall(args),
            } => Some(&args.machine),
            Self::Explain { .. } | Self::Completions { .. } | Self::Man => None,
        }
    }

    /// Returns the command's name as typed.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Doctor { .. } => "doctor",
            Self::Go {
                command: GoCommand::Env { .. },
            } => "go env",
            Self::Go {
                command: GoCommand::Fetch { .. },
            } => "go fetch",
            Self::Port { .. } => "port",
            Self::Lint(_) => "lint",
            Self::Dns(_) => "dns",
            Self::Nss {
                command: NssCommand::Install(_),
            } => "nss install",
            Self::Nss {
                command: NssCommand::Uninstall(_),
            } => "nss uninstall",
            Self::Metrics(_) => "metrics",
            Self::Explain { .. } => "explain",
            Self::Completions { .. } => "completions",
            Self::Man => "man",
        }
    }
}

/// `godiag lint` options.
#[derive(Debug, ClapArgs)]
pub struct LintArgs {
    /// The files; several Collector configs are merged like repeated `--config` flags.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// What the files are (default: detected from their content).
    #[arg(long, value_enum)]
    pub kind: Option<LintKind>,
    /// The Collector release the config is meant for, e.g. 0.135.0 (default: what the
    /// Collector given by --collector or found on PATH says it is, else the newest release
    /// godiag knows).
    #[arg(long, value_name = "VERSION")]
    pub collector_version: Option<String>,
    /// The Collector binary that will run the config; its `--version` sets the release.
    #[arg(long, value_name = "PATH", conflicts_with = "collector_version")]
    pub collector: Option<PathBuf>,
    /// For Jaeger sampling strategies files: print the strategy Jaeger serves to this
    /// service (`GET /api/sampling?service=SERVICE`).
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// With --service: how that service's SDK samples spans with this name.
    #[arg(long, value_name = "SPAN_NAME", requires = "service")]
    pub operation: Option<String>,
    /// Jaeger's default sampling probability (`--sampling.default-sampling-probability`,
    /// `remote_sampling.file.default_sampling_probability`).
    #[arg(long, value_name = "P", default_value_t = 0.001)]
    pub default_sampling_probability: f64,
    /// `--fix`, `--unsafe-fixes` and `--yes`.
    #[command(flatten)]
    pub fix: FixArgs,
    /// Which machine.
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// `godiag nss` subcommands.
#[derive(Debug, Subcommand)]
pub enum NssCommand {
    /// Copy the module into glibc's libdir and put `godiag` on the hosts line of
    /// nsswitch.conf, before `resolve` or `dns` (shown as a diff; applied with `--fix`, the
    /// nsswitch.conf edit only with `--unsafe-fixes` too).
    Install(NssInstallArgs),
    /// Take `godiag` off the hosts line and the module out of glibc's libdir; the map stays.
    Uninstall(NssUninstallArgs),
}

/// `godiag nss install` options.
#[derive(Debug, ClapArgs)]
pub struct NssInstallArgs {
    /// Also install this map as /etc/godiag/nss.map (refused if `godiag lint` finds errors
    /// in it).
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// The module to install (default: `libnss_godiag.so` beside the godiag binary, where
    /// `cargo build -p nss-godiag` puts it).
    #[arg(long, value_name = "FILE")]
    pub module: Option<PathBuf>,
    /// `--fix`.
    #[command(flatten)]
    pub fix: FixArgs,
    /// Which machine.
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// `godiag nss uninstall` options.
#[derive(Debug, ClapArgs)]
pub struct NssUninstallArgs {
    /// `--fix`.
    #[command(flatten)]
    pub fix: FixArgs,
    /// Which machine.
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// `--kind` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintKind {
    /// OpenTelemetry Collector config (YAML).
    Collector,
    /// Jaeger sampling strategies (JSON).
    Sampling,
    /// The map of the NSS module `libnss_godiag.so.2` (detected from a `.map` extension).
    NssMap,
}

/// `godiag metrics` arguments.
#[derive(Debug, ClapArgs)]
pub struct MetricsArgs {
    /// A file, `-` for standard input, or an http(s) URL to scrape.
    #[arg(value_name = "URL|FILE|-")]
    pub input: String,
    /// Report every family whose name does not start with PREFIX (e.g. `go_app_`).
    #[arg(long, value_name = "PREFIX")]
    pub require_prefix: Option<String>,
    /// Report families with more series than this.
    #[arg(long, value_name = "N", default_value_t = godiag_prom::domain::DEFAULT_MAX_SERIES_PER_FAMILY)]
    pub max_series_per_family: u64,
    /// Report labels with more distinct values than this within one family.
    #[arg(long, value_name = "N", default_value_t = godiag_prom::domain::DEFAULT_MAX_LABEL_VALUES)]
    pub max_label_values: u64,
    /// The exposition format; by default the Content-Type of a scrape, or detected from the
    /// first lines (`# EOF`, `# UNIT`, OpenMetrics-only types).
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
    /// Whose parser to follow: 3 accepts quoted UTF-8 metric and label names
    /// (`{"http.server.duration"} 1`), 2 rejects them as promtool 2.x does.
    #[arg(long, value_enum, value_name = "2|3", default_value_t = PrometheusVersionArg::V3)]
    pub prometheus_version: PrometheusVersionArg,
    /// Which machine.
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// `--prometheus-version` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrometheusVersionArg {
    /// Prometheus 2.x and promtool 2.x.
    #[value(name = "2")]
    V2,
    /// Prometheus 3.
    #[value(name = "3")]
    V3,
}

/// `--input-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Detect.
    Auto,
    /// Prometheus text format 0.0.4.
    Text,
    /// OpenMetrics 1.0.
    Openmetrics,
}

/// `godiag go` subcommands.
#[derive(Debug, Subcommand)]
pub enum GoCommand {
    /// Every `go env` value, where it comes from, and what is wrong with it.
    Env {
        /// `--fix`, `--unsafe-fixes` and `--yes`.
        #[command(flatten)]
        fix: FixArgs,
        /// Which machine.
        #[command(flatten)]
        machine: MachineArgs,
    },
    /// Every step the go command takes to download one module: the GOPROXY walk, private
    /// module routing, the checksum database and the caches.
    Fetch {
        /// The module, with an optional version or query (`latest` when omitted).
        #[arg(value_name = "MODULE[@VERSION]", value_parser = parse_module_query)]
        module: String,
        /// Which machine.
        #[command(flatten)]
        machine: MachineArgs,
    },
}

/// `godiag dns` arguments.
#[derive(Debug, ClapArgs)]
pub struct DnsArgs {
    /// The host name to trace, e.g. git.corp.example.
    #[arg(value_parser = parse_host_name)]
    pub host: String,
    /// Whether the Go program has cgo (default: the `CGO_ENABLED` the go command would use).
    #[arg(long, value_enum)]
    pub cgo: Option<OnOff>,
    /// Build tags of the Go program that affect the resolver.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub tags: Vec<NetTag>,
    /// Also ask this DNS server directly (repeatable).
    #[arg(long = "server", value_name = "IP")]
    pub servers: Vec<std::net::IpAddr>,
    /// Whose lookups to predict: your own program (default) or the go command itself.
    #[arg(long = "for", value_enum, default_value_t = ForArg::Program)]
    pub for_: ForArg,
    /// `--fix`, `--unsafe-fixes` and `--yes`.
    #[command(flatten)]
    pub fix: FixArgs,
    /// Which machine.
    #[command(flatten)]
    pub machine: MachineArgs,
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// Build tags that select a resolver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NetTag {
    /// `-tags netgo`: no cgo resolver at all.
    Netgo,
    /// `-tags netcgo`: prefer the cgo resolver.
    Netcgo,
}

/// Whose lookups `godiag dns` predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ForArg {
    /// A Go program built on this machine.
    Program,
    /// The go command (`go get`, `go mod download`).
    GoCommand,
}

/// Accepts `MODULE[@VERSION]` whose module path the go command accepts (`module.CheckPath`),
/// so a malformed one is a usage error with the go command's own message.
fn parse_module_query(text: &str) -> Result<String, String> {
    godiag_goenv::fetch::Target::parse(text)
        .map(|_| text.to_owned())
        .map_err(|error| error.to_string())
}

/// Accepts a host name some resolver can look up; refuses a malformed one, so `godiag dns`
/// says so at once instead of tracing a lookup that cannot happen.
///
/// Refused:
/// - an empty name: Go's `lookupIPAddr` (net/lookup.go) answers "no such host" before
///   anything else, glibc's getaddrinfo(3) `EAI_NONAME`;
/// - more than 253 bytes (254 with the trailing dot), a label of more than 63 bytes, an empty
///   label (`a..b`, `.a`): DNS cannot carry them (RFC 1035 §2.3.4, §3.1), Go's `isDomainName`
///   (net/dnsclient.go) refuses them and glibc's `ns_name_pton` fails with `EMSGSIZE`;
/// - whitespace and control characters, the marks of a quoting mistake rather than a name:
///   `isDomainName` refuses them, glibc's `nss_dns` sends no query for them, and a hosts(5)
///   line splits at whitespace.
///
/// Other bytes are traced, because some source still looks the name up: glibc's `nss_dns`
/// sends no query for `a@b.test`, `ünï.test` or `-git.test` (seen with glibc 2.36, `getent
/// hosts` and a listener), but /etc/hosts and the other NSS modules still get the name, and
/// Go hands names holding `%` or `\` to cgo (`hostLookupOrder`, net/conf.go). Names only Go
/// refuses are traced so DNS008 can say why Go sends no query: a label ending in `-`
/// (glibc sends `git-.corp.example`) or all digits (glibc reads `123.456` as an IPv4
/// address). Underscores are fine: both send them, and `isDomainName` allows "SRV-like
/// underscore labels" (golang.org/issue/12421).
fn parse_host_name(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("the host name is empty".into());
    }
    if let Some(error) = url_or_path(name) {
        return Err(error);
    }
    if let Some(bad) = name.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "a host name cannot hold `{}`",
            bad.escape_default()
        ));
    }
    if name == "." {
        return Ok(name.to_owned());
    }
    let bare = name.strip_suffix('.').unwrap_or(name);
    if bare.len() > 253 {
        return Err(format!(
            "the name is {} bytes long; a DNS name has at most 253",
            bare.len()
        ));
    }
    for (index, label) in bare.split('.').enumerate() {
        if label.is_empty() {
            return Err(format!("label {} is empty", index + 1));
        }
        if label.len() > 63 {
            return Err(format!(
                "label {} is {} bytes long; a DNS label has at most 63",
                index + 1,
                label.len()
            ));
        }
    }
    Ok(name.to_owned())
}

/// Refuses a URL (`http://git.corp.example/`) or a module path (`git.corp.example/team/m`)
/// given where a host name belongs: no resolver is asked for a name holding `/`, so tracing
/// it would only report a lookup that cannot be built. Says which host name to give instead.
fn url_or_path(name: &str) -> Option<String> {
    let (scheme, rest) = match name.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, name),
    };
    if scheme.is_none() && !rest.contains('/') {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    let what = if scheme.is_some() {
        "a URL; drop the scheme and path"
    } else {
        "a path; drop everything from the first `/`"
    };
    Some(if host.is_empty() {
        format!("`{name}` is {what} and give the host name alone")
    } else {
        format!("`{name}` is {what}: `godiag dns {host}`")
    })
}

/// Accepts a TCP port a server can listen on: port 0 asks the kernel for any free port, so
/// no server is ever reached on it.
fn parse_port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(0) => Err("port 0 is not a port a server listens on; give 1 to 65535".into()),
        Ok(port) => Ok(port),
        Err(_) => Err(format!("`{text}` is not a TCP port (1 to 65535)")),
    }
}

/// Parses `3s`, `500ms`, `1m` or a bare number of seconds; refuses zero, under which no
/// probe could run and every one would be reported as timed out.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((text, "s"), |at| text.split_at(at));
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 3s or 500ms"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{text}` (use ms, s or m)"
            ));
        }
    };
    let duration =
        Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is out of range"))?;
    if duration.is_zero() {
        return Err(format!(
            "a deadline of `{text}` leaves no time for any check; give one like 3s"
        ));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("3h").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("0").is_err());
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("8080"), Ok(8080));
        assert!(parse_port("0").unwrap_err().contains("port 0"));
        assert!(parse_port("65536").is_err());
    }

    #[test]
    fn urls_and_paths_say_which_host_to_give() {
        for (given, says) in [
            (
                "http://git.internal.company.com/",
                "a URL; drop the scheme and path: `godiag dns git.internal.company.com`",
            ),
            (
                "https://user@git.corp.example:8443/x?y",
                "`godiag dns git.corp.example`",
            ),
            ("ssh://[fd00::1]:22/repo", "`godiag dns fd00::1`"),
            (
                "git.corp.example/team/module",
                "a path; drop everything from the first `/`: `godiag dns git.corp.example`",
            ),
            ("file:///etc/hosts", "give the host name alone"),
        ] {
            let error = parse_host_name(given).unwrap_err();
            assert!(error.contains(says), "{given}: {error}");
        }
    }

    #[test]
    fn host_names_no_resolver_sends_are_refused() {
        let long_label = "a".repeat(64);
        let long_name = [
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(62),
        ]
        .join(".");
        assert_eq!(long_name.len(), 254);
        for refused in [
            "",
            "a..b",
            ".a",
            "..",
            "a.b..",
            "git corp",
            "tab\there",
            "nul\0",
            "esc\u{1b}[2J",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            assert!(parse_host_name(refused).is_err(), "{refused:?}");
        }
        let longest = &long_name[1..];
        let rooted = format!("{longest}.");
        for accepted in [
            "git.corp.example",
            "git.corp.example.",
            ".",
            "_sip._tcp.example.com",
            "localhost",
            // Go refuses these and glibc sends them: DNS008 explains, so they are traced.
            "git-.corp.example",
            "-git.corp.example",
            "1234",
            "user@host",
            "x%y",
            "a\\b",
            longest,
            rooted.as_str(),
        ] {
            assert_eq!(parse_host_name(accepted).as_deref(), Ok(accepted));
        }
        assert_eq!(parse_host_name("a..b").unwrap_err(), "label 2 is empty");
    }

    #[test]
    fn module_paths_the_go_command_refuses_are_refused() {
        assert!(parse_module_query("golang.org/x/text@v0.3.0").is_ok());
        assert!(parse_module_query("example.com/m").is_ok());
        let error = parse_module_query("Bad Path@v1").unwrap_err();
        assert!(error.contains("malformed module path"), "{error}");
    }

    #[test]
    fn machine_options_go_before_or_after_a_machine_command() {
        let global = |line: &[&str]| Args::try_parse_from(line).unwrap().global();
        let before = global(&[
            "godiag",
            "--root",
            "/r",
            "--env-file",
            "/e",
            "dns",
            "x.test",
        ]);
        let after = global(&[
            "godiag",
            "dns",
            "x.test",
            "--root",
            "/r",
            "--env-file",
            "/e",
        ]);
        let nested = global(&["godiag", "-q", "go", "env", "--root", "/r", "--fix"]).unwrap();
        for resolved in [before.unwrap(), after.unwrap()] {
            assert_eq!(resolved.root.as_deref(), Some(Path::new("/r")));
            assert_eq!(resolved.env_file.as_deref(), Some(Path::new("/e")));
        }
        assert_eq!(nested.root.as_deref(), Some(Path::new("/r")));
        assert!(nested.quiet);
        assert!(matches!(
            global(&["godiag", "lint", "f.yaml", "--env-file", "/e"]),
            Err(UsageError::EnvFileWithoutRoot)
        ));
        assert!(matches!(
            global(&["godiag", "--root", "/r", "explain", "DNS001"]),
            Err(UsageError::NoMachine("explain"))
        ));
        // A command that looks at no machine does not take the options at all.
        assert!(Args::try_parse_from(["godiag", "explain", "DNS001", "--root", "/r"]).is_err());
    }

    #[test]
    fn fix_options_are_shared_and_need_fix() {
        let parsed = Args::try_parse_from(["godiag", "lint", "f.yaml", "--fix", "--unsafe-fixes"]);
        let Command::Lint(lint) = parsed.unwrap().command else {
            panic!("not lint");
        };
        assert!(lint.fix.fix && lint.fix.unsafe_fixes && !lint.fix.yes);
        assert!(Args::try_parse_from(["godiag", "dns", "x.test", "--unsafe-fixes"]).is_err());
        assert!(Args::try_parse_from(["godiag", "go", "env", "--yes"]).is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
