//! `[groups.NAME]`: who gets which briefing, filtered and ordered how, on which
//! schedule. A group's name is a file name in the ledger, so it is checked as one.

use std::collections::{BTreeMap, HashMap};

use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;

use super::check::{Checker, GROUP_NAME_CHARS, LINES_PER_ARTICLE, MAX_ARTICLES};
use super::{address_key, OnEmpty, Schedule};

/// A named list of recipients who receive the same briefing.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub recipients: Vec<Mailbox>,
    /// At most this many articles (items) in the briefing.
    pub max_articles: Option<usize>,
    pub filter: Filter,
    /// Overrides `[summary] lines_per_article` for this group.
    pub lines_per_article: Option<usize>,
    /// Overrides `[mail] subject` for this group.
    pub subject: Option<String>,
    /// Who this list is for, in words readers understand, for the footer.
    pub description: Option<String>,
    /// The sender's display name for this group (default: `mail.from`'s).
    pub from_name: Option<String>,
    /// The day at a glance (keywords and figures) at the top of its briefing.
    pub glance: bool,
    /// The briefing's name, in its masthead, its default subject and the web pages
    /// (`칼럼 브리핑`): a list of columns should not arrive as the morning briefing.
    pub title: Option<String>,
    /// How its stories are ordered.
    pub order: Order,
    /// What this group gets when none of the day's articles is for it (default:
    /// `[mail] on_empty`): a filtered group can have nothing on a busy day.
    pub on_empty: OnEmpty,
    /// When it is sent: readers of an evening edition, or in another zone, are not
    /// sent the morning's at seven.
    pub schedule: Schedule,
}

/// How a group's briefing orders its stories (`[groups.NAME] order`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// By the day's rank (`crate::rank`): the biggest story first, opinion after the
    /// news.
    #[default]
    Rank,
    /// As the sources gave them.
    Source,
    /// Newest first.
    Time,
}

/// Which articles a group wants. Labels are compared without their brackets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// When not empty, only articles with one of these labels.
    pub include_labels: Vec<String>,
    pub exclude_labels: Vec<String>,
    /// When not empty, only articles whose title or text mentions one of these.
    pub include_keywords: Vec<String>,
    pub exclude_keywords: Vec<String>,
}

/// The name of a briefing whose group has no `title`.
pub const DEFAULT_TITLE: &str = "아침 브리핑";

impl Group {
    /// What readers call this briefing: its `title`, else [`DEFAULT_TITLE`]. The group's
    /// name is an id for the ledger and the config, not for readers.
    pub fn masthead(&self) -> &str {
        self.title.as_deref().unwrap_or(DEFAULT_TITLE)
    }

    /// The recipients' addresses as written; the ledger keys them by [`address_key`].
    pub fn addresses(&self) -> Vec<String> {
        self.recipients
            .iter()
            .map(|r| r.email.to_string())
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    recipients: Spanned<Vec<Spanned<String>>>,
    max_articles: Option<Spanned<usize>>,
    #[serde(default)]
    include_labels: Vec<String>,
    #[serde(default)]
    exclude_labels: Vec<String>,
    #[serde(default)]
    include_keywords: Vec<String>,
    #[serde(default)]
    exclude_keywords: Vec<String>,
    lines_per_article: Option<Spanned<usize>>,
    subject: Option<String>,
    description: Option<String>,
    from_name: Option<String>,
    glance: Option<bool>,
    title: Option<String>,
    order: Option<Order>,
    on_empty: Option<OnEmpty>,
    cron: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    skip_weekends: Option<bool>,
    skip_dates: Option<Vec<Spanned<String>>>,
}

impl Checker<'_> {
    /// In the order of the file: the first group written is the one `preview` and
    /// `send --to` take by default, and the order they are sent in.
    pub(super) fn groups(
        &self,
        raw: BTreeMap<Spanned<String>, RawGroup>,
        default: Option<&Schedule>,
        on_empty: OnEmpty,
    ) -> Vec<Group> {
        if raw.is_empty() {
            self.report(
                0..0,
                "groups",
                "no [groups.NAME] with recipients: nobody would get the briefing".into(),
            );
        }
        let mut raw: Vec<_> = raw.into_iter().collect();
        raw.sort_by_key(|(name, _)| name.span().start);
        raw.into_iter()
            .filter_map(|(name, g)| self.group(name, g, default, on_empty))
            .collect()
    }

    fn group(
        &self,
        name: Spanned<String>,
        g: RawGroup,
        default: Option<&Schedule>,
        on_empty: OnEmpty,
    ) -> Option<Group> {
        let group = group_key(name.get_ref());
        self.take(check_group_name(name.get_ref()), name.span(), &group);
        if g.from_name
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control))
        {
            let m = "must be one line of text, without control characters".into();
            self.report(name.span(), &format!("{group}.from_name"), m);
        }
        let schedule = self.group_schedule(&g, &group, default);
        let recipients = self.recipients(g.recipients, &format!("{group}.recipients"));
        let max_articles = g
            .max_articles
            .map(|n| self.bounded(&n, &MAX_ARTICLES, &format!("{group}.max_articles")));
        let lines_per_article = g.lines_per_article.map(|n| {
            self.bounded(
                &n,
                &LINES_PER_ARTICLE,
                &format!("{group}.lines_per_article"),
            )
        });
        Some(Group {
            name: name.into_inner(),
            recipients,
            max_articles,
            filter: Filter {
                include_labels: g.include_labels,
                exclude_labels: g.exclude_labels,
                include_keywords: g.include_keywords,
                exclude_keywords: g.exclude_keywords,
            },
            lines_per_article,
            subject: g.subject,
            description: g.description,
            from_name: g.from_name,
            glance: g.glance.unwrap_or(true),
            title: g.title.filter(|t| !t.trim().is_empty()),
            order: g.order.unwrap_or_default(),
            on_empty: g.on_empty.unwrap_or(on_empty),
            schedule: schedule?,
        })
    }

    /// The group's own `cron`, `timezone`, `skip_weekends` and `skip_dates`, each
    /// falling back to `[schedule]`'s.
    fn group_schedule(
        &self,
        g: &RawGroup,
        group: &str,
        default: Option<&Schedule>,
    ) -> Option<Schedule> {
        let cron = match &g.cron {
            Some(text) => self
                .cron(text, &format!("{group}.cron"))
                .map(|cron| (text.get_ref().clone(), cron)),
            None => default.map(|d| (d.cron_text.clone(), d.cron.clone())),
        };
        let timezone = match &g.timezone {
            Some(zone) => self.timezone(zone, &format!("{group}.timezone")),
            None => default.map(|d| d.timezone),
        };
        let skip_dates = match &g.skip_dates {
            Some(dates) => self.skip_dates(dates, &format!("{group}.skip_dates")),
            None => default.map(|d| d.skip_dates.clone()).unwrap_or_default(),
        };
        let ((cron_text, cron), timezone) = (cron?, timezone?);
        Some(Schedule {
            cron_text,
            cron,
            timezone,
            skip_weekends: g
                .skip_weekends
                .or(default.map(|d| d.skip_weekends))
                .unwrap_or(false),
            skip_dates,
        })
    }

    /// Compared as the ledger keys them: two entries with one key would share one
    /// ledger record, and the second would never get a briefing. A set keeps the check
    /// linear: lists of 100,000 recipients are read by every command.
    fn recipients(&self, raw: Spanned<Vec<Spanned<String>>>, key: &str) -> Vec<Mailbox> {
        if raw.get_ref().is_empty() {
            self.report(raw.span(), key, "has no recipients".into());
        }
        let count = raw.get_ref().len();
        let mut recipients: Vec<Mailbox> = Vec::with_capacity(count);
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(count);
        for r in raw.into_inner() {
            let Some(mailbox) = self.mailbox(&r, key) else {
                continue;
            };
            let this = address_key(mailbox.email.as_ref());
            if let Some(&earlier) = seen.get(&this) {
                self.report(
                    r.span(),
                    key,
                    format!(
                        "{} is listed twice: {} is the same address, {this} (a domain's case does not matter)",
                        mailbox.email, recipients[earlier].email
                    ),
                );
                continue;
            }
            seen.insert(this, recipients.len());
            recipients.push(mailbox);
        }
        recipients
    }
}

/// Group names become file names in the ledger (`DATE/GROUP.jsonl`), so only what is a
/// plain file name on every system: letters of any script (Hangul too), digits, `_` and
/// `-`, 1 to 64 characters, not starting with `-` (an option to every tool that lists
/// the folder). No `/`, `\`, `.`, space or control character: a name can neither climb
/// out of the state dir, nor make a sub-folder or a hidden file.
pub fn check_group_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a group name cannot be empty".into());
    }
    if !GROUP_NAME_CHARS.contains(&name.chars().count()) {
        return Err(format!(
            "a group name has at most {} characters",
            GROUP_NAME_CHARS.end()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_alphanumeric() || matches!(c, '_' | '-')))
    {
        return Err(format!(
            "{c:?} is not allowed in a group name: use letters (any script), digits, `_` and `-`"
        ));
    }
    if name.starts_with('-') {
        return Err("a group name cannot start with `-`".into());
    }
    Ok(())
}

/// `groups.morning`, or `groups."아침 독자"` for a name that is not a bare TOML key: the
/// key as the file spells it.
fn group_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        format!("groups.{name}")
    } else {
        format!("groups.{name:?}")
    }
}
