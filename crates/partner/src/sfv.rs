//! The part of Structured Field Values (RFC 8941) that HTTP Message Signatures and Digest Fields
//! use: dictionaries whose members are items or inner lists, with parameters; every bare item
//! type. Parsing follows RFC 8941 §4.2 (a field is accepted or refused as a whole); serialising
//! follows §4.1, so a parsed value serialises back to its canonical form.

use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Base64 as §4.2.7 reads it: padding optional (a sender SHOULD pad, a parser MUST NOT
/// require it), non-zero trailing bits tolerated.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A bare item.
#[derive(Debug, Clone, PartialEq)]
pub enum Bare {
    Integer(i64),
    /// Kept as its text (`-`? digits `.` digits); nothing here computes with decimals.
    Decimal(String),
    String(String),
    Token(String),
    Bytes(Vec<u8>),
    Boolean(bool),
}

/// Ordered parameters.
pub type Params = Vec<(String, Bare)>;

/// An item with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub bare: Bare,
    pub params: Params,
}

/// A dictionary member's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    Item(Item),
    InnerList(Vec<Item>, Params),
}

/// A list of items and inner lists.
pub type List = Vec<Member>;

/// An ordered dictionary (a repeated key keeps its first position and its last value).
pub type Dictionary = Vec<(String, Member)>;

/// The value of parameter `key`, if present.
pub fn param<'a>(params: &'a Params, key: &str) -> Option<&'a Bare> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Why a field value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed structured field at byte {at}: {what}")]
pub struct ParseError {
    pub at: usize,
    pub what: &'static str,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

type Result<T> = std::result::Result<T, ParseError>;

impl Parser<'_> {
    fn err<T>(&self, what: &'static str) -> Result<T> {
        Err(ParseError { at: self.i, what })
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// After a list or dictionary member: true at a comma followed by more, false at the end.
    fn another_member(&mut self) -> Result<bool> {
        self.skip_ows();
        match self.peek() {
            None => Ok(false),
            Some(b',') => {
                self.i += 1;
                self.skip_ows();
                if self.peek().is_none() {
                    return self.err("trailing comma");
                }
                Ok(true)
            }
            Some(_) => self.err("expected a comma between members"),
        }
    }

    fn dictionary(&mut self) -> Result<Dictionary> {
        let mut out: Dictionary = Vec::new();
        self.skip_sp();
        if self.peek().is_none() {
            return Ok(out);
        }
        loop {
            let key = self.key()?;
            let member = if self.peek() == Some(b'=') {
                self.i += 1;
                self.item_or_inner_list()?
            } else {
                let params = self.params()?;
                Member::Item(Item {
                    bare: Bare::Boolean(true),
                    params,
                })
            };
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = member,
                None => out.push((key, member)),
            }
            if !self.another_member()? {
                return Ok(out);
            }
        }
    }

    fn item_or_inner_list(&mut self) -> Result<Member> {
        if self.peek() == Some(b'(') {
            self.i += 1;
            let mut items = Vec::new();
            loop {
                self.skip_sp();
                match self.peek() {
                    Some(b')') => {
                        self.i += 1;
                        let params = self.params()?;
                        return Ok(Member::InnerList(items, params));
                    }
                    None => return self.err("unterminated inner list"),
                    Some(_) => {
                        items.push(self.item()?);
                        if !matches!(self.peek(), Some(b' ' | b')')) {
                            return self.err("expected a space or ')' in an inner list");
                        }
                    }
                }
            }
        }
        Ok(Member::Item(self.item()?))
    }

    fn list(&mut self) -> Result<List> {
        let mut out = Vec::new();
        self.skip_sp();
        if self.peek().is_none() {
            return Ok(out);
        }
        loop {
            out.push(self.item_or_inner_list()?);
            if !self.another_member()? {
                return Ok(out);
            }
        }
    }

    /// Fails unless the input is consumed.
    fn end(&mut self) -> Result<()> {
        self.skip_sp();
        match self.peek() {
            None => Ok(()),
            Some(_) => self.err("unexpected text after the value"),
        }
    }

    fn item(&mut self) -> Result<Item> {
        let bare = self.bare()?;
        let params = self.params()?;
        Ok(Item { bare, params })
    }

    fn params(&mut self) -> Result<Params> {
        let mut out: Params = Vec::new();
        while self.peek() == Some(b';') {
            self.i += 1;
            self.skip_sp();
            let key = self.key()?;
            let value = if self.peek() == Some(b'=') {
                self.i += 1;
                self.bare()?
            } else {
                Bare::Boolean(true)
            };
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
        }
        Ok(out)
    }

    fn key(&mut self) -> Result<String> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => self.i += 1,
            _ => return self.err("a key starts with a lowercase letter or '*'"),
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || matches!(c, b'_' | b'-' | b'.' | b'*')
            {
                self.i += 1;
            } else {
                break;
            }
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn bare(&mut self) -> Result<Bare> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.bytes(),
            Some(b'?') => self.boolean(),
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => Ok(self.token()),
            _ => self.err("expected an item"),
        }
    }

    fn number(&mut self) -> Result<Bare> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits_from = self.i;
        let mut dot = None;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                self.i += 1;
            } else if c == b'.' && dot.is_none() {
                dot = Some(self.i);
                self.i += 1;
            } else {
                break;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default();
        match dot {
            None => {
                let n = self.i - digits_from;
                if n == 0 || n > 15 {
                    return self.err("an integer has 1 to 15 digits");
                }
                text.parse()
                    .map(Bare::Integer)
                    .or_else(|_| self.err("bad integer"))
            }
            Some(d) => {
                let int = d - digits_from;
                let frac = self.i - d - 1;
                if int == 0 || int > 12 || frac == 0 || frac > 3 {
                    return self.err("a decimal has 1-12 integer and 1-3 fraction digits");
                }
                Ok(Bare::Decimal(text.to_owned()))
            }
        }
    }

    fn string(&mut self) -> Result<Bare> {
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return self.err("unterminated string"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Bare::String(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c as char);
                            self.i += 1;
                        }
                        _ => return self.err("bad escape in a string"),
                    }
                }
                Some(c @ 0x20..=0x7e) => {
                    out.push(c as char);
                    self.i += 1;
                }
                Some(_) => return self.err("a string holds printable ASCII only"),
            }
        }
    }

    fn token(&mut self) -> Bare {
        let start = self.i;
        self.i += 1;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c) {
                self.i += 1;
            } else {
                break;
            }
        }
        Bare::Token(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn bytes(&mut self) -> Result<Bare> {
        self.i += 1;
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == b':' {
                let text = &self.s[start..self.i];
                self.i += 1;
                return LENIENT
                    .decode(text)
                    .map(Bare::Bytes)
                    .or_else(|_| self.err("bad base64 in a byte sequence"));
            }
            if !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')) {
                return self.err("bad character in a byte sequence");
            }
            self.i += 1;
        }
        self.err("unterminated byte sequence")
    }

    fn boolean(&mut self) -> Result<Bare> {
        self.i += 1;
        let b = match self.peek() {
            Some(b'1') => true,
            Some(b'0') => false,
            _ => return self.err("a boolean is ?0 or ?1"),
        };
        self.i += 1;
        Ok(Bare::Boolean(b))
    }
}

/// Parses a dictionary field value (leading and trailing spaces allowed, nothing else).
pub fn parse_dictionary(input: &str) -> Result<Dictionary> {
    let mut p = Parser {
        s: input.trim_end_matches(' ').as_bytes(),
        i: 0,
    };
    p.dictionary()
}

/// Parses a list field value (§4.2.1).
pub fn parse_list(input: &str) -> Result<List> {
    let mut p = Parser {
        s: input.trim_end_matches(' ').as_bytes(),
        i: 0,
    };
    p.list()
}

/// Parses an item field value (§4.2.3).
pub fn parse_item(input: &str) -> Result<Item> {
    let mut p = Parser {
        s: input.as_bytes(),
        i: 0,
    };
    p.skip_sp();
    let item = p.item()?;
    p.end()?;
    Ok(item)
}

mod write;
pub use write::{bare, dictionary, item, list, member, params};

#[cfg(test)]
mod tests;
