use proptest::prelude::*;

use super::*;

fn error(text: &str) -> (u32, u32, String) {
    let error = parse(text.as_bytes(), 0).unwrap_err();
    (error.pos.line, error.pos.col, error.message)
}

#[test]
fn values_keep_their_positions() {
    let node = parse(b"{\n  \"a\": [1, \"x\"],\n  \"b\": null\n}", 0).unwrap();
    let members = node.members().unwrap();
    assert_eq!(members[0].key, "a");
    assert_eq!((members[0].key_pos.line, members[0].key_pos.col), (2, 3));
    let Value::Array(items) = &members[0].value.value else {
        panic!("not an array")
    };
    assert_eq!((items[1].pos.line, items[1].pos.col), (2, 12));
    assert_eq!(items[1].end.col, 15);
    assert_eq!(members[1].value.value, Value::Null);
    assert_eq!((node.end.line, node.end.col), (4, 2));
}

#[test]
fn duplicate_keys_are_kept_in_order() {
    let node = parse(br#"{"a":1,"a":2}"#, 0).unwrap();
    let keys: Vec<_> = node
        .members()
        .unwrap()
        .iter()
        .map(|m| &m.value.value)
        .collect();
    assert_eq!(
        keys,
        [&Value::Number("1".into()), &Value::Number("2".into())]
    );
}

#[test]
fn strings_decode_like_go() {
    let decoded = |text: &[u8]| match parse(text, 0).unwrap().value {
        Value::String(s) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(decoded(br#""a\u00e9\n\/""#), "aé\n/");
    assert_eq!(decoded(br#""\ud83d\ude00""#), "😀");
    assert_eq!(decoded(br#""\ud83dx""#), "\u{fffd}x");
    assert_eq!(decoded(br#""\ud83d\u0041""#), "\u{fffd}A");
    assert_eq!(decoded(b"\"\xe2\x82A\xff\""), "\u{fffd}\u{fffd}A\u{fffd}");
}

#[test]
fn syntax_errors_read_as_go_words_them() {
    let table = [
        ("", (1, 1, "unexpected end of JSON input")),
        ("{", (1, 2, "unexpected end of JSON input")),
        (
            "{,}",
            (
                1,
                2,
                "invalid character ',' looking for beginning of object key string",
            ),
        ),
        (
            "{\"a\" 1}",
            (1, 6, "invalid character '1' after object key"),
        ),
        (
            "{\"a\":1 \"b\":2}",
            (1, 8, "invalid character '\"' after object key:value pair"),
        ),
        (
            "{\"a\":1,}",
            (
                1,
                8,
                "invalid character '}' looking for beginning of object key string",
            ),
        ),
        (
            "[1,]",
            (1, 4, "invalid character ']' looking for beginning of value"),
        ),
        ("[1 2]", (1, 4, "invalid character '2' after array element")),
        (
            "{}\n x",
            (2, 2, "invalid character 'x' after top-level value"),
        ),
        ("01", (1, 2, "invalid character '1' after top-level value")),
        ("-x", (1, 2, "invalid character 'x' in numeric literal")),
        (
            "1.e",
            (
                1,
                3,
                "invalid character 'e' after decimal point in numeric literal",
            ),
        ),
        ("1e+", (1, 4, "unexpected end of JSON input")),
        (
            "1ex",
            (1, 3, "invalid character 'x' in exponent of numeric literal"),
        ),
        ("tru", (1, 4, "unexpected end of JSON input")),
        (
            "nul1",
            (
                1,
                4,
                "invalid character '1' in literal null (expecting 'l')",
            ),
        ),
        (
            "\"a\nb\"",
            (1, 3, "invalid character '\\n' in string literal"),
        ),
        (
            "\"\\x\"",
            (1, 3, "invalid character 'x' in string escape code"),
        ),
        (
            "\"\\u12g4\"",
            (
                1,
                6,
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
        ),
        (
            "'a'",
            (
                1,
                1,
                "invalid character '\\'' looking for beginning of value",
            ),
        ),
        (
            "{\"a\": \u{e9}}",
            (1, 7, "invalid character 'Ã' looking for beginning of value"),
        ),
    ];
    for (text, (line, col, message)) in table {
        assert_eq!(error(text), (line, col, message.to_owned()), "{text:?}");
    }
}

#[test]
fn nesting_is_limited_like_go_without_using_the_stack() {
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    assert!(parse(deep.as_bytes(), 0).is_ok());
    let deeper = "[".repeat(10_001) + &"]".repeat(10_001);
    assert_eq!(
        parse(deeper.as_bytes(), 0).unwrap_err().message,
        "exceeded max depth"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse(&bytes, 0);
    }

    #[test]
    fn json_like_text_never_panics(text in "[\\[\\]{}:,\"0-9a-z\\\\ .eE+-]{0,64}") {
        let _ = parse(text.as_bytes(), 0);
    }
}
