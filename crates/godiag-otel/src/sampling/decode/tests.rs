use super::*;
use crate::json::parse;

fn decoded(text: &str) -> Decoded {
    decode(&parse(text.as_bytes(), 0).unwrap())
}

fn first_error(text: &str) -> String {
    decoded(text).type_errors[0].message()
}

#[test]
fn type_errors_read_as_go_words_them() {
    // Each message is the output of Go's encoding/json on Jaeger's structs.
    let table = [
        (
            r#"{"default_strategy":{"type":"probabilistic","param":"0.5"}}"#,
            "json: cannot unmarshal string into Go struct field serviceStrategy.default_strategy.strategy.param of type float64",
        ),
        (
            r#"{"service_strategies":[{"service":"a","type":1,"param":"0.5"}]}"#,
            "json: cannot unmarshal number into Go struct field serviceStrategy.service_strategies.strategy.type of type string",
        ),
        (
            r#"{"default_strategy":{"type":"probabilistic","param":1e400}}"#,
            "json: cannot unmarshal number 1e400 into Go struct field serviceStrategy.default_strategy.strategy.param of type float64",
        ),
        (
            "[]",
            "json: cannot unmarshal array into Go value of type file.strategies",
        ),
        (
            r#"{"service_strategies":{}}"#,
            "json: cannot unmarshal object into Go struct field strategies.service_strategies of type []*file.serviceStrategy",
        ),
        (
            r#"{"service_strategies":["x"]}"#,
            "json: cannot unmarshal string into Go struct field strategies.service_strategies of type file.serviceStrategy",
        ),
        (
            r#"{"service_strategies":[{"operation_strategies":[{"operation":true}]}]}"#,
            "json: cannot unmarshal bool into Go struct field operationStrategy.service_strategies.operation_strategies.operation of type string",
        ),
    ];
    for (text, message) in table {
        assert_eq!(first_error(text), message, "{text}");
    }
}

#[test]
fn keys_match_case_insensitively_and_unknown_keys_are_noted() {
    let out = decoded(
        r#"{"DEFAULT_STRATEGY":{"TYPE":"probabilistic","Param":0.3,"ſervice":"q","rate":1}}"#,
    );
    let default = out.strategies.unwrap().default_strategy.unwrap();
    assert_eq!(default.strategy.param.unwrap().raw, "0.3");
    assert_eq!(default.service.unwrap().value, "q");
    assert_eq!(out.case_variants.len(), 4);
    assert_eq!(out.unknown_keys.len(), 1);
    assert_eq!(out.unknown_keys[0].key, "rate");
    assert_eq!(out.unknown_keys[0].path, "default_strategy");
}

#[test]
fn repeated_keys_follow_go() {
    // Scalars: the last wins; `null` leaves a number alone.
    let out = decoded(
        r#"{"default_strategy":{"type":"probabilistic","param":0.1,"param":0.2,"param":null}}"#,
    );
    let default = out.strategies.unwrap().default_strategy.unwrap();
    assert_eq!(default.strategy.param.unwrap().raw, "0.2");
    assert_eq!(out.repeated.len(), 2);
    // Arrays: the second is decoded into the first, element by element.
    let out = decoded(
        r#"{"service_strategies":[{"service":"a","param":0.1,"operation_strategies":[{"operation":"o"}]},{"service":"b"}],
            "service_strategies":[{"type":"ratelimiting"}]}"#,
    );
    let services = out.strategies.unwrap().service_strategies;
    assert_eq!(services.len(), 1);
    let merged = services[0].as_ref().unwrap();
    assert_eq!(merged.service.as_ref().unwrap().value, "a");
    assert_eq!(merged.strategy.ty.as_ref().unwrap().value, "ratelimiting");
    assert_eq!(merged.operation_strategies.len(), 1);
}

#[test]
fn nulls_clear_pointers_and_are_kept_in_lists() {
    let out = decoded(
        r#"{"default_strategy":{"type":"probabilistic"},"default_strategy":null,"service_strategies":[null,{}]}"#,
    );
    let strategies = out.strategies.unwrap();
    assert!(strategies.default_strategy.is_none());
    assert!(strategies.service_strategies[0].is_none());
    assert_eq!(strategies.service_slots[0].pos().col, 92);
    assert!(decoded("null").strategies.is_none());
}
