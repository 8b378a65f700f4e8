//! Commands as both APIs send them, in WeCom's field names, with WeCom clients' looseness
//! (numbers as strings, gender as an int, legacy fields ignored).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DepartmentInput {
    #[serde(default, deserialize_with = "opt_int")]
    pub id: Option<i64>,
    pub name: Option<String>,
    pub name_en: Option<String>,
    #[serde(default, deserialize_with = "opt_int")]
    pub parentid: Option<i64>,
    #[serde(default, deserialize_with = "opt_int")]
    pub order: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberInput {
    pub userid: Option<String>,
    pub name: Option<String>,
    pub alias: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "opt_ints")]
    pub department: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "opt_ints")]
    pub order: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "opt_ints")]
    pub is_leader_in_dept: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "opt_int")]
    pub main_department: Option<i64>,
    pub direct_leader: Option<Vec<String>>,
    pub telephone: Option<String>,
    pub avatar: Option<String>,
    pub extattr: Option<Value>,
    /// 1 enabled, 0 disabled (WeCom's request field).
    #[serde(default, deserialize_with = "opt_int")]
    pub enable: Option<i64>,
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// An integer sent as a number or a numeric string; null and "" are absent.
pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => int_of(&v)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, got {v}"))),
    }
}

/// A list of integers: an array of numbers or numeric strings, or one such value.
pub fn opt_ints<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    let items = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
    };
    items
        .iter()
        .map(|i| {
            int_of(i)
                .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, got {i}")))
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

/// A string sent as a string or a number.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_wecom_clients_looseness() {
        let m: MemberInput = serde_json::from_str(r#"{"userid":"a","gender":0,"department":["2",3],"order":"", "weixinid":"x","enable":"1"}"#).unwrap();
        assert_eq!(m.gender.as_deref(), Some("0"));
        assert_eq!(m.department, Some(vec![2, 3]));
        assert_eq!(m.order, None);
        assert_eq!(m.enable, Some(1));
        let d: DepartmentInput =
            serde_json::from_str(r#"{"name":"研发","parentid":"1","order":""}"#).unwrap();
        assert_eq!((d.parentid, d.order), (Some(1), None));
        assert!(serde_json::from_str::<DepartmentInput>(r#"{"parentid":"x"}"#).is_err());
    }
}
