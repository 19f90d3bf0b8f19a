//! GO014: GOINSECURE patterns that turn off TLS checks for public hosts or whole domains.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, var_evidence, var_location};

/// GOINSECURE matching public code hosts or every host under a top-level domain.
pub(crate) struct GoinsecureTooBroad;

const META: CheckMeta = CheckMeta {
    code: "GO014",
    slug: "goinsecure-too-broad",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "GOINSECURE turns off TLS verification for public hosts",
    ok_title: "GOINSECURE is limited to specific private hosts",
    doc: include_str!("../../../../docs/checks/GO014.md"),
};

const PUBLIC_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "golang.org",
    "google.golang.org",
    "go.googlesource.com",
    "gopkg.in",
    "go.uber.org",
    "k8s.io",
    "sigs.k8s.io",
    "cloud.google.com",
    "go.opentelemetry.io",
];

impl Check<Context> for GoinsecureTooBroad {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_value("GOINSECURE")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(var) = context.env.var("GOINSECURE") else {
            return Vec::new();
        };
        let value = var.value.as_deref().unwrap_or_default();
        let broad: Vec<&str> = value.split(',').filter(|glob| too_broad(glob)).collect();
        if broad.is_empty() {
            return Vec::new();
        }
        let kept: Vec<&str> = value
            .split(',')
            .filter(|glob| !glob.is_empty() && !too_broad(glob))
            .collect();
        let mut finding = Finding::new(
            &META,
            format!("GOINSECURE covers {}", broad.join(", ")),
            "For modules matching these patterns the go command fetches over plain HTTP and accepts any \
             TLS certificate when it goes direct, so anyone on the path can substitute code. GOINSECURE \
             is meant for a specific internal host without a valid certificate; it does not fix checksum \
             database errors (that is GONOSUMDB/GOPRIVATE)."
                .to_owned(),
        )
        .subject("GOINSECURE")
        .evidence(var_evidence(var))
        .fix(Fix::command(if kept.is_empty() {
            "go env -u GOINSECURE".to_owned()
        } else {
            format!("go env -w GOINSECURE={}", kept.join(","))
        }));
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

/// A glob whose host part is a wildcard over fewer than two labels (`*`, `*.com`) or a
/// public code host.
fn too_broad(glob: &str) -> bool {
    let host = glob.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return false;
    }
    let literal_labels = host
        .split('.')
        .filter(|label| !label.contains(['*', '?', '[']))
        .count();
    (host.contains(['*', '?', '[']) && literal_labels < 2)
        || PUBLIC_HOSTS
            .iter()
            .any(|public| host == *public || host.ends_with(&format!(".{public}")))
}

#[cfg(test)]
mod tests {
    use super::too_broad;

    #[test]
    fn broad_patterns() {
        for glob in [
            "*",
            "*.com",
            "*.*",
            "github.com",
            "github.com/org",
            "proxy.golang.org",
        ] {
            assert!(too_broad(glob), "{glob}");
        }
        for glob in ["git.corp.example", "*.corp.example", "", "10.0.0.5:8080"] {
            assert!(!too_broad(glob), "{glob}");
        }
    }
}
