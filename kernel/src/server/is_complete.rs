//! Is a cell ready to run? `complete`, `incomplete` (the frontend should wait for more lines,
//! e.g. an open brace or string) or `invalid` (it can never compile, e.g. a stray `}`), decided
//! with a Rust tokenizer and parser (`proc-macro2` and `syn`), not by counting characters.

use std::str::FromStr;

use jupyter_protocol::IsCompleteReply;

use crate::server::help::help_target;

/// Classifies a cell as jupyter console and JupyterLab's console expect.
pub fn is_complete(code: &str) -> IsCompleteReply {
    let rust: String = code
        .lines()
        .map(|line| {
            if line.trim_start().starts_with(':') {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    if rust.trim().is_empty() || help_target(code).is_some() {
        return IsCompleteReply::complete();
    }
    match open_delimiters(&rust) {
        Delimiters::Unbalanced => return IsCompleteReply::invalid(),
        Delimiters::Open(depth) => return IsCompleteReply::incomplete("    ".repeat(depth)),
        Delimiters::Balanced => {}
    }
    if proc_macro2::TokenStream::from_str(&rust).is_err() {
        // Balanced brackets but a token that cannot lex (an unterminated string or comment).
        return IsCompleteReply::incomplete(String::new());
    }
    if parses_as_cell(&rust) || parses_as_cell(&format!("{rust};")) {
        IsCompleteReply::complete()
    } else if ends_in_an_operator(&rust) {
        IsCompleteReply::incomplete(String::new())
    } else {
        IsCompleteReply::invalid()
    }
}

/// A cell is the body of a block: statements, items and an optional final expression.
fn parses_as_cell(code: &str) -> bool {
    syn::parse_str::<syn::Block>(&format!("{{\n{code}\n}}")).is_ok()
}

/// A cell whose last token is a binary operator or `=` is waiting for its right-hand side.
fn ends_in_an_operator(code: &str) -> bool {
    let Ok(tokens) = proc_macro2::TokenStream::from_str(code) else {
        return false;
    };
    matches!(
        tokens.into_iter().last(),
        Some(proc_macro2::TokenTree::Punct(punct)) if punct.as_char() != ';'
    )
}

enum Delimiters {
    Balanced,
    /// Brackets still open at the end, and how deep.
    Open(usize),
    /// A closing bracket that does not match.
    Unbalanced,
}

/// Scans brackets outside strings, chars and comments.
fn open_delimiters(code: &str) -> Delimiters {
    let chars: Vec<char> = code.chars().collect();
    let mut stack = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 1;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
                if depth > 0 {
                    return Delimiters::Open(stack.len());
                }
            }
            '"' => match skip_string(&chars, i + 1, 0) {
                Some(end) => i = end,
                None => return Delimiters::Open(stack.len()),
            },
            'r' if is_raw_string_start(&chars, i) => {
                let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
                match skip_string(&chars, i + 2 + hashes, hashes) {
                    Some(end) => i = end,
                    None => return Delimiters::Open(stack.len()),
                }
            }
            '\'' => i = skip_char_literal(&chars, i),
            open @ ('(' | '[' | '{') => stack.push(open),
            close @ (')' | ']' | '}') => {
                let expected = match close {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(expected) {
                    return Delimiters::Unbalanced;
                }
            }
            _ => {}
        }
        i += 1;
    }
    match stack.len() {
        0 => Delimiters::Balanced,
        depth => Delimiters::Open(depth),
    }
}

fn is_raw_string_start(chars: &[char], i: usize) -> bool {
    let previous_is_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
    !previous_is_ident && chars.get(i + 1 + hashes) == Some(&'"')
}

/// Index of the closing quote of a string starting at `start`, or None if it never closes.
fn skip_string(chars: &[char], start: usize, hashes: usize) -> Option<usize> {
    let mut i = start;
    while i < chars.len() {
        if hashes == 0 && chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some(i + hashes);
        }
        i += 1;
    }
    None
}

/// Skips `'x'` or `'\n'`; a lifetime such as `'a` is left alone.
fn skip_char_literal(chars: &[char], start: usize) -> usize {
    match (
        chars.get(start + 1),
        chars.get(start + 2),
        chars.get(start + 3),
    ) {
        (Some('\\'), _, _) => (start + 2..chars.len())
            .find(|&j| chars[j] == '\'')
            .unwrap_or(start),
        (Some(_), Some('\''), _) => start + 2,
        _ => start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::IsCompleteReplyStatus::*;

    fn status(code: &str) -> jupyter_protocol::IsCompleteReplyStatus {
        is_complete(code).status
    }

    #[test]
    fn whole_cells_are_complete() {
        for code in [
            "1 + 1",
            "let x = 5;",
            "let x = 5",
            "fn add(a: i32, b: i32) -> i32 { a + b }",
            "struct Point { x: f64 }\nimpl Point { fn norm(&self) -> f64 { self.x.abs() } }",
            ":dep lessons = { path = \"../lessons\" }",
            "println!(\"{}\", '}');",
            "let s = r#\"a \"quoted\" }\"#;",
            "fn f<'a>(x: &'a str) -> &'a str { x }",
            "// just a comment",
            "?Vec",
            "",
        ] {
            assert_eq!(status(code), Complete, "{code:?}");
        }
    }

    #[test]
    fn open_cells_are_incomplete() {
        for code in [
            "fn main() {",
            "let v = vec![1, 2,",
            "let s = \"unterminated",
            "/* a comment that goes on",
            "let x = 1 +",
        ] {
            assert_eq!(status(code), Incomplete, "{code:?}");
        }
    }

    #[test]
    fn impossible_cells_are_invalid() {
        for code in ["}", "let x = (1 + 2];", "let = 5;", "fn fn fn"] {
            assert_eq!(status(code), Invalid, "{code:?}");
        }
    }

    #[test]
    fn indent_follows_the_depth() {
        assert_eq!(is_complete("fn f() {\n    if true {").indent, "        ");
    }
}
