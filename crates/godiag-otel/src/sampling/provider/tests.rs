use super::*;
use crate::json::parse;
use crate::sampling::decode::decode;
use crate::sampling::response::body;

fn store(text: &str) -> Result<Store, Crash> {
    let decoded = decode(&parse(text.as_bytes(), 0).unwrap());
    load(decoded.strategies.as_ref(), DEFAULT_SAMPLING_PROBABILITY)
}

/// Jaeger's `internal/sampling/samplingstrategy/file/fixtures/operation_strategies.json`.
const OPERATION_STRATEGIES: &str = r#"{
  "default_strategy": {"type": "probabilistic", "param": 0.5, "operation_strategies": [
    {"operation": "op0", "type": "probabilistic", "param": 0.2},
    {"operation": "op6", "type": "probabilistic", "param": 0},
    {"operation": "spam", "type": "ratelimiting", "param": 1},
    {"operation": "op7", "type": "probabilistic", "param": 1}]},
  "service_strategies": [
    {"service": "foo", "type": "probabilistic", "param": 0.8, "operation_strategies": [
      {"operation": "op6", "type": "probabilistic", "param": 0.5},
      {"operation": "op1", "type": "probabilistic", "param": 0.2},
      {"operation": "op2", "type": "ratelimiting", "param": 10}]},
    {"service": "bar", "type": "ratelimiting", "param": 5, "operation_strategies": [
      {"operation": "op3", "type": "probabilistic", "param": 0.3},
      {"operation": "op4", "type": "ratelimiting", "param": 100},
      {"operation": "op5", "type": "probabilistic", "param": 0.4}]}]}"#;

#[test]
fn jaegers_operation_fixture_is_served_as_jaeger_serves_it() {
    // The bodies and warnings of Jaeger's provider code on this fixture.
    let store = store(OPERATION_STRATEGIES).unwrap();
    assert_eq!(
        body(store.get("foo")),
        r#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.8},"operationSampling":{"defaultSamplingProbability":0.8,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[{"operation":"op6","probabilisticSampling":{"samplingRate":0.5}},{"operation":"op1","probabilisticSampling":{"samplingRate":0.2}},{"operation":"op0","probabilisticSampling":{"samplingRate":0.2}},{"operation":"op7","probabilisticSampling":{"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}}"#
    );
    assert_eq!(
        body(store.get("bar")),
        r#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":5},"operationSampling":{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[{"operation":"op3","probabilisticSampling":{"samplingRate":0.3}},{"operation":"op5","probabilisticSampling":{"samplingRate":0.4}},{"operation":"op0","probabilisticSampling":{"samplingRate":0.2}},{"operation":"op6","probabilisticSampling":{"samplingRate":0}},{"operation":"op7","probabilisticSampling":{"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}}"#
    );
    assert_eq!(
        body(store.get("unknown")),
        r#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5},"operationSampling":{"defaultSamplingProbability":0.5,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[{"operation":"op0","probabilisticSampling":{"samplingRate":0.2}},{"operation":"op6","probabilisticSampling":{"samplingRate":0}},{"operation":"op7","probabilisticSampling":{"samplingRate":1}}],"defaultUpperBoundTracesPerSecond":0}}"#
    );
    let warnings: Vec<&str> = store.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        warnings,
        [
            "Operation strategies only supports probabilistic sampling at the moment,'spam' defaulting to probabilistic sampling with probability 0.500000",
            "Operation strategies only supports probabilistic sampling at the moment,'op2' defaulting to probabilistic sampling with probability 0.800000",
            "Operation strategies only supports probabilistic sampling at the moment,'op4' defaulting to probabilistic sampling with probability 0.001000",
        ]
    );
}

#[test]
fn unknown_types_fall_back_to_the_default_probability() {
    let store = store(r#"{"default_strategy":{"type":"Probabilistic","param":0.5}}"#).unwrap();
    assert_eq!(
        body(&store.default),
        r#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001}}"#
    );
    assert_eq!(
        store.warnings[0].message,
        "Failed to parse sampling strategy"
    );
}

#[test]
fn the_last_entry_of_a_service_wins() {
    let store = store(
        r#"{"service_strategies":[{"service":"a","type":"probabilistic","param":0.1},{"service":"a","type":"ratelimiting","param":2.9}]}"#,
    )
    .unwrap();
    assert_eq!(store.services.len(), 1);
    assert_eq!(store.get("a").rate_limiting, Some(2));
}

#[test]
fn null_entries_crash_jaeger() {
    let crash = store(r#"{"service_strategies":[{"service":"a"}, null]}"#).unwrap_err();
    assert_eq!(crash.pos.col, 41);
    assert!(store(r#"{"default_strategy":{"operation_strategies":[null]}}"#).is_err());
    assert!(store("null").is_ok());
}

#[test]
fn int32_conversion_is_gos_on_amd64() {
    // Observed with Go on amd64.
    let table = [
        (2_147_483_647.9, 2_147_483_647),
        (2_147_483_648.0, i32::MIN),
        (3e9, i32::MIN),
        (-1e10, i32::MIN),
        (-0.9, 0),
        (0.9, 0),
        (-2_147_483_648.5, i32::MIN),
        (1e300, i32::MIN),
    ];
    for (param, served) in table {
        assert_eq!(go_int32(param), served, "{param}");
    }
}
