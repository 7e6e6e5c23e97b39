//! A small HTML checker for the renderer's output: balanced tags, the content
//! models the diff can get wrong (lists, tables, phrasing inside paragraphs and
//! `<ins>`/`<del>`), and unique ids. A table has at most one `<thead>`, before
//! any `<tbody>`, and every `<th>` says what it heads (`scope`), as
//! html-validate asks. Deliberately strict: it rejects things a
//! browser would silently "repair".

use std::collections::HashSet;

const VOID: &[&str] = &["br", "img", "hr", "wbr"];
const PHRASING: &[&str] = &[
    "a", "em", "strong", "s", "sup", "sub", "code", "span", "ins", "del", "br", "img", "b", "i",
];
const PHRASING_ONLY_PARENTS: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "span", "a", "em", "strong", "s", "sup", "sub",
    "code", "summary", "b", "i",
];

fn allowed_child(parent: &str, child: &str) -> bool {
    match parent {
        "ul" | "ol" => child == "li",
        "table" => matches!(child, "thead" | "tbody"),
        "thead" | "tbody" => child == "tr",
        "tr" => matches!(child, "td" | "th"),
        _ => true,
    }
}

/// Returns a description of the first problem found.
pub fn check(html: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    // Names of the children seen so far, one list per open element.
    let mut children: Vec<Vec<String>> = Vec::new();
    let mut ids = HashSet::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if !text.trim().is_empty()
            && let Some(top) = stack.last()
            && matches!(
                top.as_str(),
                "ul" | "ol" | "table" | "thead" | "tbody" | "tr"
            )
        {
            return Err(format!("text {text:?} directly inside <{top}>"));
        }
        let gt = rest[lt..].find('>').ok_or("unterminated tag")? + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            children.pop();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(pos) = tag.find(" id=\"") {
            let id: String = tag[pos + 5..].chars().take_while(|&c| c != '"').collect();
            if !ids.insert(id.clone()) {
                return Err(format!("duplicate id {id}"));
            }
        }
        if let Some(parent) = stack.last()
            && !allowed_child(parent, &name)
        {
            return Err(format!("<{name}> inside <{parent}>"));
        }
        if let Some(siblings) = children.last_mut() {
            if name == "thead" && !siblings.is_empty() {
                return Err(format!("<thead> after {siblings:?}"));
            }
            siblings.push(name.clone());
        }
        if name == "th"
            && !["col", "row", "colgroup", "rowgroup"]
                .iter()
                .any(|v| tag.contains(&format!(" scope=\"{v}\"")))
        {
            return Err(format!("<{tag}> without a valid scope"));
        }
        if stack.iter().any(|p| {
            PHRASING_ONLY_PARENTS.contains(&p.as_str())
                || ((p == "ins" || p == "del")
                    && stack.iter().any(|q| {
                        PHRASING_ONLY_PARENTS.contains(&q.as_str())
                            || q == "li"
                            || q == "td"
                            || q == "th"
                    }))
        }) && !PHRASING.contains(&name.as_str())
        {
            return Err(format!("block <{name}> inside phrasing content {stack:?}"));
        }
        if (name == "ins" || name == "del") && stack.iter().any(|p| p == "ins" || p == "del") {
            return Err("nested ins/del".into());
        }
        if !VOID.contains(&name.as_str()) {
            stack.push(name);
            children.push(Vec::new());
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed {stack:?}"))
    }
}

#[test]
fn checker_rejects_bad_html() {
    assert!(check("<p>a <em>b</em></p><ul><li>x</li></ul>").is_ok());
    assert!(check("<p><ins>a <em>b</ins></em></p>").is_err());
    assert!(check("<ul><p>x</p></ul>").is_err());
    assert!(check("<table><tr><td>x</td></tr></table>").is_err());
    assert!(check("<p><div>x</div></p>").is_err());
    assert!(check("<p id=\"a\"></p><p id=\"a\"></p>").is_err());
    assert!(check("<ul>text</ul>").is_err());
    assert!(check("<p>open").is_err());
    let row = "<tr><th scope=\"col\">h</th></tr>";
    assert!(
        check(&format!(
            "<table><thead>{row}</thead><tbody></tbody></table>"
        ))
        .is_ok()
    );
    assert!(
        check(&format!(
            "<table><thead>{row}</thead><thead>{row}</thead></table>"
        ))
        .is_err()
    );
    assert!(
        check(&format!(
            "<table><tbody></tbody><thead>{row}</thead></table>"
        ))
        .is_err()
    );
    assert!(check("<table><thead><tr><th>h</th></tr></thead></table>").is_err());
}
