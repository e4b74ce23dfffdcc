//! Formulas over indicators and other components' points, parsed and evaluated by
//! `evalexpr`. Variables are looked up in a small slice rather than a hash map, since a
//! formula is evaluated once per unit.

use evalexpr::{Context, DefaultNumericTypes, EvalexprError, EvalexprResult, Node, Value, build_operator_tree};

use evalexpr::error::EvalexprResultValue;

use super::VarRef;

pub(crate) struct Formula {
    node: Node<DefaultNumericTypes>,
    /// Each variable's name and where its value comes from, in the order `eval` takes
    /// them.
    pub vars: Vec<(String, VarRef)>,
}

/// Parses an expression; returns the tree and the variable names it uses.
pub(crate) fn parse(expr: &str) -> Result<(Node<DefaultNumericTypes>, Vec<String>), String> {
    let node =
        build_operator_tree::<DefaultNumericTypes>(expr).map_err(|e| format!("the formula does not parse: {e}"))?;
    let mut names: Vec<String> = node.iter_variable_identifiers().map(str::to_owned).collect();
    names.sort();
    names.dedup();
    Ok((node, names))
}

struct Vars<'a> {
    names: &'a [(String, VarRef)],
    values: &'a [Value<DefaultNumericTypes>],
    max: Value<DefaultNumericTypes>,
}

impl Context for Vars<'_> {
    type NumericTypes = DefaultNumericTypes;

    fn get_value(&self, identifier: &str) -> Option<&Value<DefaultNumericTypes>> {
        if identifier == "max" {
            return Some(&self.max);
        }
        self.names.iter().position(|(n, _)| n == identifier).and_then(|i| self.values.get(i))
    }

    fn call_function(
        &self,
        identifier: &str,
        _argument: &Value<DefaultNumericTypes>,
    ) -> EvalexprResultValue<DefaultNumericTypes> {
        Err(EvalexprError::FunctionIdentifierNotFound(identifier.to_owned()))
    }

    fn are_builtin_functions_disabled(&self) -> bool {
        false
    }

    fn set_builtin_functions_disabled(&mut self, _disabled: bool) -> EvalexprResult<(), DefaultNumericTypes> {
        Err(EvalexprError::ContextNotMutable)
    }
}

impl Formula {
    pub fn new(node: Node<DefaultNumericTypes>, vars: Vec<(String, VarRef)>) -> Self {
        Formula { node, vars }
    }

    /// The formula's value for the variables' values (in `vars` order), or None when it
    /// cannot be computed (a division by zero, say).
    #[cfg(test)]
    pub fn eval(&self, values: &[f64], max: f64) -> Option<f64> {
        self.eval_with(values, max, &mut Vec::new())
    }

    /// `eval`, reusing `scratch` for the variables' values: a formula is evaluated once
    /// per unit, and the allocation would otherwise be a good part of the cost.
    pub fn eval_with(&self, values: &[f64], max: f64, scratch: &mut Vec<Value<DefaultNumericTypes>>) -> Option<f64> {
        scratch.clear();
        scratch.extend(values.iter().map(|v| Value::Float(*v)));
        let context = Vars { names: &self.vars, values: scratch, max: Value::Float(max) };
        self.node.eval_number_with_context(&context).ok().filter(|x| x.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_with_variables_and_builtins() {
        let (node, names) = parse("min(a / b * 100, max)").unwrap();
        assert_eq!(names, ["a", "b", "max"]);
        let f = Formula::new(node, vec![("a".into(), VarRef::Slot(0)), ("b".into(), VarRef::Slot(1))]);
        assert_eq!(f.eval(&[1.0, 4.0], 20.0), Some(20.0));
        assert_eq!(f.eval(&[1.0, 40.0], 20.0), Some(2.5));
        let (node, _) = parse("a / b * 100").unwrap();
        let ratio = Formula::new(node, vec![("a".into(), VarRef::Slot(0)), ("b".into(), VarRef::Slot(1))]);
        assert_eq!(ratio.eval(&[1.0, 0.0], 20.0), None, "a result that is not a finite number has no value");
        assert!(parse("(a + b").is_err());
    }
}
