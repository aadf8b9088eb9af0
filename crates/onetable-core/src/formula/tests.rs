use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

fn values(pairs: &[(&str, f64)]) -> impl Fn(&str) -> Option<Value> {
    let map: HashMap<String, f64> = pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    move |code| map.get(code).map(|v| Value::Number(*v))
}

fn eval(text: &str, pairs: &[(&str, f64)]) -> Option<Value> {
    evaluate(&parse(text).unwrap(), &values(pairs), 0.0)
}

#[test]
fn precedence_follows_arithmetic_then_comparison_then_not_and_or() {
    assert_eq!(eval("1 + 2 * 3", &[]), Some(Value::Number(7.0)));
    assert_eq!(eval("(1 + 2) * 3", &[]), Some(Value::Number(9.0)));
    assert_eq!(eval("10 - 4 - 3", &[]), Some(Value::Number(3.0)), "left associative");
    assert_eq!(eval("12 / 3 / 2", &[]), Some(Value::Number(2.0)));
    assert_eq!(eval("-2 * 3", &[]), Some(Value::Number(-6.0)));
    assert_eq!(eval("1 + 1 == 2 and not 3 < 2 or false", &[]), Some(Value::Bool(true)));
    assert_eq!(parse("A.B or C.D and E.F").unwrap().to_string(), "(A.B or (C.D and E.F))", "and binds tighter than or");
    assert_eq!(parse("A.B + C.D * E.F >= 2").unwrap().to_string(), "((A.B + (C.D * E.F)) >= 2)");
}

#[test]
fn division_by_zero_and_missing_inputs_are_null() {
    assert_eq!(eval("POP.AGED_60 / POP.REGISTERED * 100", &[("POP.AGED_60", 5.0), ("POP.REGISTERED", 0.0)]), None);
    assert_eq!(eval("POP.AGED_60 / POP.REGISTERED * 100", &[("POP.AGED_60", 5.0)]), None);
    assert_eq!(
        eval("POP.AGED_60 / POP.REGISTERED * 100", &[("POP.AGED_60", 50.0), ("POP.REGISTERED", 200.0)]),
        Some(Value::Number(25.0))
    );
    assert_eq!(eval("coalesce(A.B, 0) + 1", &[]), Some(Value::Number(1.0)));
}

#[test]
fn functions() {
    assert_eq!(eval("if(A.B > 1, 10, 20)", &[("A.B", 2.0)]), Some(Value::Number(10.0)));
    assert_eq!(
        eval("abs(-3) + round(2.345, 2) + min(4, 2, 9) + max(1, 7)", &[]),
        Some(Value::Number(3.0 + 2.35 + 2.0 + 7.0))
    );
    assert_eq!(eval("round(2.5)", &[]), Some(Value::Number(3.0)));
}

#[test]
fn errors_point_at_their_position_in_chinese() {
    let err = parse("POP.MALE + * 2").unwrap_err();
    assert_eq!((err.kind.clone(), err.column()), (FormulaErrorKind::UnexpectedToken, 12));
    assert!(err.to_string().starts_with("第 12 个字符处"), "{err}");
    let err = parse("(POP.MALE + 1").unwrap_err();
    assert_eq!(err.kind, FormulaErrorKind::UnexpectedEnd);
    assert!(err.message.contains("括号未闭合"));
    let err = parse("POP.MALE = 1").unwrap_err();
    assert_eq!((err.kind.clone(), err.column()), (FormulaErrorKind::UnexpectedCharacter, 10));
    assert!(err.message.contains("=="));
    let err = parse("sum(POP.MALE)").unwrap_err();
    assert_eq!(err.kind, FormulaErrorKind::UnknownFunction);
    let err = parse("abs(1, 2)").unwrap_err();
    assert_eq!(err.kind, FormulaErrorKind::WrongArity);
    assert_eq!(parse("1 < 2 < 3").unwrap_err().kind, FormulaErrorKind::UnexpectedToken);
    assert_eq!(parse("").unwrap_err().kind, FormulaErrorKind::UnexpectedEnd);
    assert_eq!(parse(&"(".repeat(500)).unwrap_err().kind, FormulaErrorKind::TooDeep);
}

fn catalogue(code: &str) -> Option<CodeInfo> {
    match code {
        "POP.MALE" | "POP.FEMALE" | "POP.REGISTERED" => Some(CodeInfo { kind: CodeKind::Number, deprecated: false }),
        "OLD.CODE" => Some(CodeInfo { kind: CodeKind::Number, deprecated: true }),
        "INFRA.HAS_CLINIC" => Some(CodeInfo { kind: CodeKind::Bool, deprecated: false }),
        "PROFILE.TERRAIN" => Some(CodeInfo { kind: CodeKind::Other, deprecated: false }),
        _ => None,
    }
}

#[test]
fn the_checker_finds_unknown_deprecated_and_mistyped_codes_with_positions() {
    let errors = check(&parse("POP.MALE + POP.FEMAL").unwrap(), Type::Number, catalogue).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].kind.clone(), errors[0].column()), (FormulaErrorKind::UnknownCode, 12));
    assert!(errors[0].message.contains("POP.FEMAL"));
    let errors = check(&parse("OLD.CODE + 1").unwrap(), Type::Number, catalogue).unwrap_err();
    assert_eq!(errors[0].kind, FormulaErrorKind::DeprecatedCode);
    let errors = check(&parse("INFRA.HAS_CLINIC + 1").unwrap(), Type::Number, catalogue).unwrap_err();
    assert_eq!(errors[0].kind, FormulaErrorKind::TypeMismatch);
    let errors = check(&parse("PROFILE.TERRAIN == 1").unwrap(), Type::Bool, catalogue).unwrap_err();
    assert_eq!(errors[0].kind, FormulaErrorKind::UnsupportedCode);
    let errors = check(&parse("POP.MALE + POP.FEMALE").unwrap(), Type::Bool, catalogue).unwrap_err();
    assert!(errors[0].message.contains("公式结果应为布尔"), "a rule must be a condition");
    let errors = check(&parse("POP.MALE and INFRA.HAS_CLINIC").unwrap(), Type::Bool, catalogue).unwrap_err();
    assert_eq!(errors[0].kind, FormulaErrorKind::TypeMismatch);
    assert!(check(&parse("POP.MALE + POP.FEMALE == POP.REGISTERED").unwrap(), Type::Bool, catalogue).is_ok());
    assert!(check(&parse("if(INFRA.HAS_CLINIC, POP.MALE, 0)").unwrap(), Type::Number, catalogue).is_ok());
}

#[test]
fn cycles_across_three_derived_indicators_are_found() {
    let formulas: HashMap<&str, Vec<String>> = HashMap::from([
        ("DER.A", vec!["DER.B".to_owned(), "POP.MALE".to_owned()]),
        ("DER.B", vec!["DER.C".to_owned()]),
        ("DER.C", vec!["DER.A".to_owned()]),
        ("DER.D", vec!["POP.MALE".to_owned()]),
    ]);
    let deps = |code: &str| formulas.get(code).cloned().unwrap_or_default();
    assert_eq!(find_cycle("DER.A", deps), Some(vec!["DER.A".into(), "DER.B".into(), "DER.C".into(), "DER.A".into()]));
    assert_eq!(find_cycle("DER.D", deps), None);
}

#[test]
fn rules_skip_on_missing_values_and_compare_decimals_within_tolerance() {
    let rule = parse("POP.MALE + POP.FEMALE == POP.REGISTERED").unwrap();
    let complete = values(&[("POP.MALE", 600.0), ("POP.FEMALE", 634.0), ("POP.REGISTERED", 1234.0)]);
    assert_eq!(evaluate_rule(&rule, &complete, DEFAULT_TOLERANCE, false), RuleOutcome::Pass);
    let wrong = values(&[("POP.MALE", 600.0), ("POP.FEMALE", 600.0), ("POP.REGISTERED", 1234.0)]);
    assert_eq!(evaluate_rule(&rule, &wrong, DEFAULT_TOLERANCE, false), RuleOutcome::Fail);
    let partial = values(&[("POP.MALE", 600.0), ("POP.REGISTERED", 1234.0)]);
    assert_eq!(evaluate_rule(&rule, &partial, DEFAULT_TOLERANCE, false), RuleOutcome::Skipped);
    assert_eq!(evaluate_rule(&rule, &partial, DEFAULT_TOLERANCE, true), RuleOutcome::Fail, "missing counted as 0");
    let income = parse("A.X + A.Y == A.TOTAL").unwrap();
    let near = values(&[("A.X", 10.005), ("A.Y", 20.0), ("A.TOTAL", 30.0)]);
    assert_eq!(evaluate_rule(&income, &near, DEFAULT_TOLERANCE, false), RuleOutcome::Pass, "within 0.01");
    let far = values(&[("A.X", 10.02), ("A.Y", 20.0), ("A.TOTAL", 30.0)]);
    assert_eq!(evaluate_rule(&income, &far, DEFAULT_TOLERANCE, false), RuleOutcome::Fail);
}

fn arb_expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (0u32..100_000, 0u32..4).prop_map(|(n, d)| ExprKind::Number(f64::from(n) / 10f64.powi(d as i32))),
        any::<bool>().prop_map(ExprKind::Bool),
        "[A-Z]{1,4}\\.[A-Z_]{1,8}".prop_map(ExprKind::Code),
    ]
    .prop_map(|kind| Expr { kind, span: Span::default() });
    leaf.prop_recursive(5, 40, 4, |inner| {
        let binary = prop_oneof![
            Just(BinaryOp::Add),
            Just(BinaryOp::Sub),
            Just(BinaryOp::Mul),
            Just(BinaryOp::Div),
            Just(BinaryOp::Eq),
            Just(BinaryOp::Ne),
            Just(BinaryOp::Lt),
            Just(BinaryOp::Le),
            Just(BinaryOp::Gt),
            Just(BinaryOp::Ge),
            Just(BinaryOp::And),
            Just(BinaryOp::Or),
        ];
        prop_oneof![
            (binary, inner.clone(), inner.clone()).prop_map(|(op, a, b)| ExprKind::Binary(
                op,
                Box::new(a),
                Box::new(b)
            )),
            (prop_oneof![Just(UnaryOp::Neg), Just(UnaryOp::Not)], inner.clone())
                .prop_map(|(op, a)| ExprKind::Unary(op, Box::new(a))),
            (
                prop_oneof![Just(Function::Min), Just(Function::Max), Just(Function::Coalesce)],
                prop::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(f, args)| ExprKind::Call(f, args)),
            (inner.clone(), inner.clone(), inner).prop_map(|(a, b, c)| ExprKind::Call(Function::If, vec![a, b, c])),
        ]
        .prop_map(|kind| Expr { kind, span: Span::default() })
    })
}

proptest! {
    #[test]
    fn printing_then_parsing_gives_the_same_formula(expr in arb_expr()) {
        let printed = expr.to_string();
        let reparsed = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
        prop_assert_eq!(reparsed, expr);
    }

    #[test]
    fn no_input_panics_the_parser(text in "\\PC{0,60}") {
        let _ = parse(&text);
    }

    #[test]
    fn no_formula_like_input_panics_parser_or_evaluator(text in "[A-Z.()+*/<>=! 0-9a-z,-]{0,60}") {
        if let Ok(expr) = parse(&text) {
            let _ = evaluate(&expr, &|_| Some(Value::Number(0.0)), DEFAULT_TOLERANCE);
        }
    }
}
