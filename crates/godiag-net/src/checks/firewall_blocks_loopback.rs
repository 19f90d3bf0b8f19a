//! NET011: loopback clients are dropped or rejected by the firewall.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Severity};

use super::{Context, blocked, nothing_to_judge};
use crate::firewall::Origin;

/// Loopback clients are dropped or rejected by the firewall.
pub(crate) struct FirewallBlocksLoopback;

const LOOPBACK: CheckMeta = CheckMeta {
    code: "NET011",
    slug: "firewall-blocks-loopback",
    domain: Domain::Net,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The firewall blocks connections from this machine",
    ok_title: "The firewall lets loopback clients reach the port",
    doc: include_str!("../../../../docs/checks/NET011.md"),
};

impl Check<Context> for FirewallBlocksLoopback {
    fn meta(&self) -> &'static CheckMeta {
        &LOOPBACK
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        nothing_to_judge(context, &[Origin::Loopback])
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        blocked(context, &LOOPBACK, &[Origin::Loopback])
    }
}
