//! A policy's pages build their template variables by hand (`PolicyPage::add_to`): they must
//! be the ones serde makes of the same page, which is what templates saw before.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

use super::*;
use crate::diff::{ChangeKind, ChangeRef, DiffSummary, DocumentDiff};
use crate::history::{ChangesPage, HistoryPage, VersionDiff};
use crate::site::Drafts;

fn by_serde(page: &impl Serialize) -> tera::Context {
    tera::Context::from_serialize(page).expect("a page is a struct")
}

fn by_hand(page: &impl PolicyPage) -> tera::Context {
    let mut context = tera::Context::new();
    page.add_to(&mut context).expect("converts");
    context
}

fn heading(id: &str) -> Heading {
    Heading {
        level: 2,
        written_level: 2,
        id: id.to_string(),
        text: format!("About {id}"),
        offset: 0,
    }
}

#[test]
fn policy_pages_give_templates_what_serde_gives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/history/basic/content");
    let content = crate::content::load(&root).expect("the fixture loads");
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date");
    // Drafts shown, so that every status (draft, superseded, current, upcoming) is there.
    let plan = SitePlan::new(&content, today, Drafts::Show);
    let policy = plan
        .policies
        .iter()
        .find(|p| p.slug() == "notice")
        .expect("the fixture's notice");
    let view = PolicyView::new(&plan.urls, policy);
    let shared = PolicyContext::new(&plan.urls, policy, &view);
    let rendered = Rendered {
        html: "<p>A body longer than Tera keeps inline.</p>".to_string(),
        headings: ["who", "what", "why"].map(heading).to_vec(),
        ..Rendered::default()
    };
    for index in 0..policy.versions.len() {
        for dated in [true, false] {
            let page = VersionPage::new(&plan, &view, &shared, index, &rendered, dated);
            assert_eq!(by_hand(&page), by_serde(&page), "version {index}");
        }
        let coarse = (index % 2 == 0).then(|| "Compared by paragraph.".to_string());
        let diff = VersionDiff {
            previous: index.saturating_sub(1),
            diff: Arc::new(DocumentDiff {
                html: "<p>What <ins>changed</ins> and <del>what did not</del>.</p>".to_string(),
                summary: DiffSummary {
                    words_added: 1,
                    words_removed: index,
                    sections_changed: 1,
                    changes: vec![ChangeRef {
                        id: "change-1".to_string(),
                        section: "Who we are".to_string(),
                        kind: ChangeKind::Changed,
                    }],
                },
                coarse,
            }),
            key: None,
        };
        let page = ChangesPage::new(&plan, &view, policy, &shared, index, &diff);
        assert_eq!(
            by_hand(&page),
            by_serde(&page),
            "changes of version {index}"
        );
    }
    let page = HistoryPage::new(&plan, &view, policy, &shared);
    assert_eq!(by_hand(&page), by_serde(&page));
}

/// `mark_safe` stands in for Tera's `safe` in every theme: whatever it is given, it must give
/// what Tera's own does.
#[test]
fn safe_filter_renders_as_teras_own() {
    let template = "{{ long | safe }}|{{ short | safe }}|{{ number | safe }}|{{ list | safe }}|\
                    {{ map | safe }}|{{ nothing | safe }}|{{ long | safe | upper }}";
    let mut context = tera::Context::new();
    context.insert("long", "<b>Bold</b> & a text too long to be kept inline");
    context.insert("short", "<i>x</i>");
    context.insert("number", &42);
    context.insert("list", &["<a>", "b"]);
    context.insert("map", &BTreeMap::from([("k", "<v>")]));
    context.insert("nothing", &None::<String>);
    let render = |ours: bool| {
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html"]);
        if ours {
            tera.register_filter("safe", mark_safe);
        }
        tera.add_raw_template("page.html", template)
            .expect("compiles");
        tera.render("page.html", &context).expect("renders")
    };
    assert_eq!(render(true), render(false));
}
