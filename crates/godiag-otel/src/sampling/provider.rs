//! What Jaeger's file-based provider makes of decoded strategies: the response it serves
//! for each service and for everyone else, and the warnings it logs on the way.
//!
//! A line-by-line model of `parseStrategies`, `parseServiceStrategies`,
//! `parseOperationStrategy`, `parseStrategy` and `mergePerOperationSamplingStrategies` in
//! jaeger internal/sampling/samplingstrategy/file/provider.go (v2.20): an unknown or missing
//! `type` becomes probabilistic with `default_sampling_probability`; a ratelimiting `param`
//! is converted with Go's `int32(param)`; ratelimiting operation entries are dropped with a
//! warning; the default strategy's operation entries are copied into, or merged behind, every
//! service's; the last of several entries for one service wins; a `null` entry crashes Jaeger
//! with a nil pointer dereference.

use crate::sampling::decode::{OperationStrategy, ServiceStrategy, Slot, Strategies, Strategy};
use crate::yaml::Pos;

/// Jaeger's `DefaultSamplingProbability` (`--sampling.default-sampling-probability`,
/// `remote_sampling.file.default_sampling_probability`).
pub const DEFAULT_SAMPLING_PROBABILITY: f64 = 0.001;

/// `SamplingStrategyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyType {
    /// `PROBABILISTIC` (0).
    Probabilistic,
    /// `RATE_LIMITING` (1).
    RateLimiting,
}

/// One entry of `perOperationStrategies`.
#[derive(Debug, Clone, PartialEq)]
pub struct PerOperation {
    /// The operation (span name).
    pub operation: String,
    /// The probability the SDK samples the operation with (0 to 1).
    pub sampling_rate: f64,
    /// Where the entry is in the file.
    pub pos: Pos,
    /// True when it comes from `default_strategy`.
    pub inherited: bool,
}

/// `PerOperationSamplingStrategies` as the file provider fills it (both bounds are 0).
#[derive(Debug, Clone, PartialEq)]
pub struct OperationSampling {
    /// `defaultSamplingProbability`.
    pub default_sampling_probability: f64,
    /// `perOperationStrategies`, in served order.
    pub per_operation: Vec<PerOperation>,
}

/// `SamplingStrategyResponse`.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// `strategyType`.
    pub strategy_type: StrategyType,
    /// `probabilisticSampling.samplingRate`, when set.
    pub probabilistic: Option<f64>,
    /// `rateLimitingSampling.maxTracesPerSecond`, when set.
    pub rate_limiting: Option<i32>,
    /// `operationSampling`, when set.
    pub operation_sampling: Option<OperationSampling>,
}

/// A line Jaeger logs while loading the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The entry it is about.
    pub pos: Pos,
    /// Jaeger's message.
    pub message: String,
}

/// What Jaeger serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Store {
    /// For services without an entry.
    pub default: Response,
    /// Per service, in order of first appearance; the last entry of a name wins.
    pub services: Vec<(String, Response)>,
    /// The warnings logged while loading, in order.
    pub warnings: Vec<Warning>,
}

/// Jaeger crashes while loading: `invalid memory address or nil pointer dereference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crash {
    /// The `null` entry it dereferences.
    pub pos: Pos,
}

impl Store {
    /// Returns what `GET /api/sampling?service=NAME` serves.
    #[must_use]
    pub fn get(&self, service: &str) -> &Response {
        self.services
            .iter()
            .find(|(name, _)| name == service)
            .map_or(&self.default, |(_, response)| response)
    }
}

/// Returns Jaeger's built-in response: probabilistic with `probability`.
#[must_use]
pub fn default_response(probability: f64) -> Response {
    Response {
        strategy_type: StrategyType::Probabilistic,
        probabilistic: Some(probability),
        rate_limiting: None,
        operation_sampling: None,
    }
}

/// Loads strategies as Jaeger does; `None` (a file holding `null`) serves the defaults.
pub fn load(strategies: Option<&Strategies>, default_probability: f64) -> Result<Store, Crash> {
    let mut loader = Loader {
        default_probability,
        warnings: Vec::new(),
    };
    let mut store = Store {
        default: default_response(default_probability),
        services: Vec::new(),
        warnings: Vec::new(),
    };
    let Some(strategies) = strategies else {
        return Ok(store);
    };
    if let Some(default) = &strategies.default_strategy {
        store.default = loader.service(default, true)?;
    }
    for (index, entry) in strategies.service_strategies.iter().enumerate() {
        let Some(entry) = entry else {
            return Err(Crash {
                pos: strategies
                    .service_slots
                    .get(index)
                    .map(Slot::pos)
                    .unwrap_or_default(),
            });
        };
        let name = entry
            .service
            .as_ref()
            .map(|s| s.value.clone())
            .unwrap_or_default();
        let mut response = loader.service(entry, false)?;
        if let Some(default_ops) = &store.default.operation_sampling {
            match &mut response.operation_sampling {
                None => {
                    // The service has no operation rules: it gets a copy of the default's,
                    // with its own rate as the default when it is probabilistic.
                    let mut copy = default_ops.clone();
                    if let Some(rate) = response.probabilistic {
                        copy.default_sampling_probability = rate;
                    }
                    response.operation_sampling = Some(copy);
                }
                Some(own) => {
                    // Its own rules come first; the default's follow for other operations.
                    let names: Vec<String> = own
                        .per_operation
                        .iter()
                        .map(|op| op.operation.clone())
                        .collect();
                    own.per_operation.extend(
                        default_ops
                            .per_operation
                            .iter()
                            .filter(|op| !names.contains(&op.operation))
                            .cloned(),
                    );
                }
            }
        }
        match store
            .services
            .iter_mut()
            .find(|(existing, _)| *existing == name)
        {
            Some((_, slot)) => *slot = response,
            None => store.services.push((name, response)),
        }
    }
    store.warnings = loader.warnings;
    Ok(store)
}

/// Returns Go's `int32(param)` on amd64: truncation toward zero, and the "integer
/// indefinite" value −2³¹ for anything out of range (arm64 saturates instead).
#[must_use]
pub fn go_int32(param: f64) -> i32 {
    let truncated = param.trunc();
    if (-2_147_483_648.0..=2_147_483_647.0).contains(&truncated) {
        // In range by the check above.
        #[allow(clippy::cast_possible_truncation)]
        let value = truncated as i32;
        value
    } else {
        i32::MIN
    }
}

struct Loader {
    default_probability: f64,
    warnings: Vec<Warning>,
}

impl Loader {
    fn strategy(&mut self, strategy: &Strategy, pos: Pos) -> Response {
        let param = strategy.param.as_ref().map_or(0.0, |p| p.value);
        match strategy.ty.as_ref().map(|t| t.value.as_str()) {
            Some("probabilistic") => default_response(param),
            Some("ratelimiting") => Response {
                strategy_type: StrategyType::RateLimiting,
                probabilistic: None,
                rate_limiting: Some(go_int32(param)),
                operation_sampling: None,
            },
            _ => {
                self.warnings.push(Warning {
                    pos,
                    message: "Failed to parse sampling strategy".to_owned(),
                });
                default_response(self.default_probability)
            }
        }
    }

    fn service(&mut self, entry: &ServiceStrategy, inherited: bool) -> Result<Response, Crash> {
        let mut response = self.strategy(&entry.strategy, entry.pos);
        if entry.operation_strategies.is_empty() {
            return Ok(response);
        }
        let mut sampling = OperationSampling {
            default_sampling_probability: self.default_probability,
            per_operation: Vec::new(),
        };
        if response.strategy_type == StrategyType::Probabilistic {
            sampling.default_sampling_probability =
                response.probabilistic.unwrap_or(self.default_probability);
        }
        for (index, operation) in entry.operation_strategies.iter().enumerate() {
            let Some(operation) = operation else {
                return Err(Crash {
                    pos: entry
                        .operation_slots
                        .get(index)
                        .map_or(entry.pos, Slot::pos),
                });
            };
            if let Some(rate) = self.operation(operation, &sampling) {
                sampling.per_operation.push(PerOperation {
                    operation: operation
                        .operation
                        .as_ref()
                        .map(|o| o.value.clone())
                        .unwrap_or_default(),
                    sampling_rate: rate,
                    pos: operation.pos,
                    inherited,
                });
            }
        }
        response.operation_sampling = Some(sampling);
        Ok(response)
    }

    fn operation(
        &mut self,
        operation: &OperationStrategy,
        parent: &OperationSampling,
    ) -> Option<f64> {
        let response = self.strategy(&operation.strategy, operation.pos);
        if response.strategy_type == StrategyType::RateLimiting {
            let name = operation
                .operation
                .as_ref()
                .map(|o| o.value.as_str())
                .unwrap_or_default();
            self.warnings.push(Warning {
                pos: operation.pos,
                message: format!(
                    "Operation strategies only supports probabilistic sampling at the moment,'{name}' \
                     defaulting to probabilistic sampling with probability {:.6}",
                    parent.default_sampling_probability
                ),
            });
            return None;
        }
        response.probabilistic
    }
}

#[cfg(test)]
mod tests;
