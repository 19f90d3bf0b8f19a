//! NET010: LAN clients are dropped or rejected by the firewall.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Severity};

use super::{Context, blocked, nothing_to_judge};
use crate::firewall::Origin;

/// LAN clients are dropped or rejected by the firewall.
pub(crate) struct FirewallBlocksLan;

const LAN: CheckMeta = CheckMeta {
    code: "NET010",
    slug: "firewall-blocks-lan",
    domain: Domain::Net,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The firewall blocks connections from the LAN",
    ok_title: "The firewall lets LAN clients reach the port",
    doc: include_str!("../../../../docs/checks/NET010.md"),
};

impl Check<Context> for FirewallBlocksLan {
    fn meta(&self) -> &'static CheckMeta {
        &LAN
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        nothing_to_judge(context, &[Origin::Lan, Origin::WslHost])
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        blocked(context, &LAN, &[Origin::Lan, Origin::WslHost])
    }
}
