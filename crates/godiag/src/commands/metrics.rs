//! `godiag metrics URL|FILE|-`: open the input, run the metrics domain, build the report.

use std::io;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use godiag_core::host::Host;
use godiag_core::net::Network;
use godiag_core::report::Report;
use godiag_prom::{Format, Input, Options, PrometheusVersion};

use crate::cli::{FormatArg, GlobalArgs, InputFormatArg, MetricsArgs, PrometheusVersionArg};

/// Runs the metrics domain on the input the arguments name.
pub(super) fn run(
    host: &dyn Host,
    network: Arc<dyn Network>,
    args: &MetricsArgs,
    global: &GlobalArgs,
) -> anyhow::Result<Report> {
    let input = if godiag_prom::scrape::is_url(&args.input) {
        Input::Url {
            url: args.input.clone(),
            network,
        }
    } else if args.input == "-" {
        Input::Reader {
            source: "-".to_owned(),
            location_path: "<stdin>".to_owned(),
            reader: Box::new(io::stdin()),
        }
    } else {
        // A directory opens but cannot be read: a wrong argument, not a broken exposition.
        if host
            .metadata(Path::new(&args.input))
            .is_ok_and(|meta| meta.is_dir)
        {
            bail!(
                "`{}` is a directory: give a file holding the exposition, `-` for standard \
                 input, or a URL",
                args.input
            );
        }
        let reader = host
            .open(Path::new(&args.input))
            .with_context(|| format!("opening `{}`", args.input))?;
        Input::Reader {
            source: args.input.clone(),
            location_path: args.input.clone(),
            reader,
        }
    };
    let options = Options {
        require_prefix: args.require_prefix.clone(),
        max_series_per_family: args.max_series_per_family,
        max_label_values: args.max_label_values,
        input_format: match args.input_format {
            InputFormatArg::Auto => None,
            InputFormatArg::Text => Some(Format::Text),
            InputFormatArg::Openmetrics => Some(Format::OpenMetrics),
        },
        structured_result: global.format == FormatArg::Json,
        prometheus_version: match args.prometheus_version {
            PrometheusVersionArg::V2 => PrometheusVersion::V2,
            PrometheusVersionArg::V3 => PrometheusVersion::V3,
        },
    };
    let outcome = godiag_prom::run(input, options, global.deadline);
    Ok(Report::new("metrics", outcome.findings, outcome.result))
}
