//! `[summary]` in config.toml: how many key lines per article, and the weight of each
//! feature [`crate::select`] scores a line by. The features are named here, each with
//! its key, because their weights are what this section configures: selection reads
//! the weights in this order and `briefing check` ranges them by key, so the config
//! needs nothing from the pipeline stage that uses it.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::check::{Checker, FIGURES_FULL, LINES_PER_ARTICLE, LINE_CHARS, WEIGHT};

/// The features of a competing line, in the order of [`Vector`], each with the
/// `[summary]` key of its weight. Every value is at most 1 in size, and penalties are
/// negative values, so that every weight is a non-negative number and the weights
/// compare with one another.
pub const FEATURES: [(&str, &str); 16] = [
    // -ln(1 + rank) times the lead strength: in a lead-first article the first lines
    // carry the news, and the odds fall fast and then slowly.
    ("position", "position_weight"),
    // The same prior where the article is not lead-first: an article still tends to
    // state its subject early, but far less reliably.
    ("fading_position", "fading_position_weight"),
    ("keywords", "keyword_weight"),
    ("centrality", "centrality_weight"),
    ("figures", "number_weight"),
    ("peg", "peg_weight"),
    ("title", "title_weight"),
    // How much of the lead's wording the line shares (tf-idf cosine), times the lead
    // strength: where the lead states the news, the lines that carry the same story
    // (who, how much, when next) repeat its words, while background and asides do not.
    // Where the lead is a scene, its words say nothing, and the feature fades with it.
    ("lead_echo", "lead_echo_weight"),
    ("length", "short_penalty"),
    ("bare_quote", "quote_penalty"),
    ("attributed_quote", "attributed_quote_penalty"),
    ("connective", "connective_penalty"),
    ("long", "long_penalty"),
    // 1 for the last competing line, 0.5 for the one before: where a column states its
    // thesis and an interview its subject's last word.
    ("closing", "closing_weight"),
    // A claim of the writer's own (`…서둘러야 한다`, `…이 필요하다`): a column's thesis.
    ("claim", "claim_weight"),
    // The writer's framing and nothing else (`…전략적 행보다`, `…계기가 됐다`, with no
    // figure, quotation or reporting verb): what a step means, not what happened.
    ("framing", "framing_penalty"),
];

/// One value per entry of [`FEATURES`].
pub type Vector = [f64; FEATURES.len()];

/// One kind's weights: one per entry of [`FEATURES`], then `redundancy_weight`.
pub type Weights = [f64; FEATURES.len() + 1];

/// `[summary]` in config.toml: how many lines, and how much each feature counts in
/// straight news; `[summary.kinds.<kind>]` how much in the other kinds of article
/// ([`KindsConfig`]). `briefing explain` shows what each weight adds to each line. The
/// defaults are the weights `scripts/fit-summary` fitted on the shared labelled set and
/// our own, but for `fading_position_weight` and `attributed_quote_penalty`, which the
/// sets disagree on line by line, held at set values.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryConfig {
    /// Key lines shown per article.
    pub lines_per_article: usize,
    /// Key lines of each story of a round-up (`◆`), at most `lines_per_article`: a
    /// round-up gathers short, minor items, and three lines each let a round-up of
    /// three outweigh the day's lead story.
    pub roundup_lines: usize,
    /// The lead prior in a lead-first article (the scale the other weights are fitted
    /// against).
    pub position_weight: f64,
    /// The lead prior in an article whose lead is a scene, a question or a quote.
    pub fading_position_weight: f64,
    /// The density of the article's own keywords (recurring, dump-rare and title words).
    pub keyword_weight: f64,
    /// How much the rest of the article returns to the line (TextRank over word overlap).
    pub centrality_weight: f64,
    /// Figures (numbers with units: 5.4%, 300억원, 22일), full at `figures_full`.
    pub number_weight: f64,
    /// Figures in one line that earn the full `number_weight`; more count no further,
    /// so a table-like run of numbers does not win on numbers alone.
    pub figures_full: usize,
    /// The news peg: a reporting verb (`밝혔다`, `발표했다`, `…에 따르면`), full with a date.
    pub peg_weight: f64,
    /// The share of the headline's content words (the title's and the deck's) found in
    /// the line.
    pub title_weight: f64,
    /// The share of the lead's wording a later line repeats, where the lead is the news.
    pub lead_echo_weight: f64,
    /// Lines shorter than this pay a share of `short_penalty` that grows as they get
    /// shorter: short lines in news are hooks, scenes and speaker introductions.
    pub short_chars: usize,
    /// The length prior's full penalty.
    pub short_penalty: f64,
    /// A line that is mostly an unattributed quotation: dialogue, a slogan, a scene.
    pub quote_penalty: f64,
    /// A quotation with its speaker (`…”고 말했다`): an expert's judgement can be a key
    /// line, so it pays its own, fitted, penalty.
    pub attributed_quote_penalty: f64,
    /// A line opening with a connective (또한, 한편, 이어 …) reads badly on its own.
    pub connective_penalty: f64,
    /// Lines with fewer characters than this are fragments and are never picked.
    pub min_chars: usize,
    /// Lines with more characters than this are run-ons (several sentences the splitter
    /// could not cut, or a list), penalised by `long_penalty`.
    pub max_chars: usize,
    pub long_penalty: f64,
    /// The last competing line, and half for the one before.
    pub closing_weight: f64,
    /// A claim of the writer's own: a line whose predicate says what must be done.
    pub claim_weight: f64,
    /// A line of framing only: a judgement predicate, no figure, quote or report.
    pub framing_penalty: f64,
    /// Per unit of similarity with a line already picked (cosine of their tf-idf word
    /// vectors): a repeat tells the reader nothing new.
    pub redundancy_weight: f64,
    /// The weights of the other kinds of article.
    pub kinds: KindsConfig,
}

/// `[summary.kinds.<kind>]`: the weights of features, interviews, columns and round-up
/// items, each kind's own (straight news is `[summary]`'s). A key left out takes the
/// kind's fitted default, not `[summary]`'s: a weight fitted for one kind says nothing
/// of another.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KindsConfig {
    pub feature: KindWeights,
    pub interview: KindWeights,
    pub column: KindWeights,
    pub roundup: KindWeights,
}

/// The weight keys of `$s` (`[summary]` or a `[summary.kinds]` table, which share
/// their names) as an array in the order of [`Weights`]: one list for both.
macro_rules! weights_in_order {
    ($s:expr) => {
        [
            $s.position_weight,
            $s.fading_position_weight,
            $s.keyword_weight,
            $s.centrality_weight,
            $s.number_weight,
            $s.peg_weight,
            $s.title_weight,
            $s.lead_echo_weight,
            $s.short_penalty,
            $s.quote_penalty,
            $s.attributed_quote_penalty,
            $s.connective_penalty,
            $s.long_penalty,
            $s.closing_weight,
            $s.claim_weight,
            $s.framing_penalty,
            $s.redundancy_weight,
        ]
    };
}

/// One kind's weights as written: each the same key as in `[summary]`, unset when the
/// kind's default holds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KindWeights {
    pub position_weight: Option<f64>,
    pub fading_position_weight: Option<f64>,
    pub keyword_weight: Option<f64>,
    pub centrality_weight: Option<f64>,
    pub number_weight: Option<f64>,
    pub peg_weight: Option<f64>,
    pub title_weight: Option<f64>,
    pub lead_echo_weight: Option<f64>,
    pub short_penalty: Option<f64>,
    pub quote_penalty: Option<f64>,
    pub attributed_quote_penalty: Option<f64>,
    pub connective_penalty: Option<f64>,
    pub long_penalty: Option<f64>,
    pub closing_weight: Option<f64>,
    pub claim_weight: Option<f64>,
    pub framing_penalty: Option<f64>,
    pub redundancy_weight: Option<f64>,
}

impl KindWeights {
    /// The weights written, in the order of [`Weights`].
    fn written(&self) -> [Option<f64>; FEATURES.len() + 1] {
        weights_in_order!(self)
    }
}

/// The names of the kinds of `[summary.kinds]`, in the order of their fitted defaults
/// and of [`SummaryConfig::weights_of`] after straight news.
pub const OTHER_KINDS: [&str; 4] = ["feature", "interview", "column", "roundup"];

/// The fitted default weights of each kind of [`OTHER_KINDS`], in the order of
/// [`Weights`] (`scripts/fit-summary --toml`).
const KIND_DEFAULTS: [Weights; 4] = [
    // feature
    [
        1.0, 0.3, 0.0, 2.0, 3.0, 0.3, 0.3, 0.3, 2.0, 0.3, 0.3, 1.5, 0.3, 0.0, 1.5, 1.0, 1.5,
    ],
    // interview
    [
        1.0, 0.0, 0.02, 0.3, 0.3, 0.5, 0.3, 0.3, 0.3, 0.3, 0.0, 0.3, 0.3, 0.1, 0.0, 1.0, 1.0,
    ],
    // column
    [
        1.0, 0.0, 0.15, 0.75, 0.3, 0.3, 0.5, 0.3, 2.0, 0.3, 0.3, 0.0, 0.3, 0.0, 0.4, 1.0, 1.0,
    ],
    // roundup
    [
        1.0, 0.3, 0.0, 0.15, 2.0, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.75, 0.0, 1.0, 0.4,
    ],
];

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            lines_per_article: 3,
            roundup_lines: 1,
            position_weight: 1.0,
            fading_position_weight: 0.3,
            keyword_weight: 1.0,
            centrality_weight: 0.15,
            number_weight: 0.2,
            figures_full: 2,
            peg_weight: 0.4,
            title_weight: 0.75,
            lead_echo_weight: 0.3,
            short_chars: 60,
            short_penalty: 0.3,
            quote_penalty: 0.3,
            attributed_quote_penalty: 0.1,
            connective_penalty: 0.3,
            min_chars: 12,
            max_chars: 300,
            long_penalty: 0.3,
            closing_weight: 0.0,
            claim_weight: 0.0,
            framing_penalty: 1.0,
            redundancy_weight: 1.0,
            kinds: KindsConfig::default(),
        }
    }
}

impl SummaryConfig {
    /// Straight news' weights, in the order of [`Weights`].
    pub fn news_weights(&self) -> Weights {
        weights_in_order!(self)
    }

    /// The weights of kind `kind`, numbered as [`crate::select::KINDS`]: 0 is straight
    /// news (`[summary]`), then each of [`OTHER_KINDS`]: its defaults with what its
    /// `[summary.kinds]` table sets.
    pub fn weights_of(&self, kind: usize) -> Weights {
        let k = &self.kinds;
        let (written, default) = match kind {
            0 => return self.news_weights(),
            1 => (&k.feature, KIND_DEFAULTS[0]),
            2 => (&k.interview, KIND_DEFAULTS[1]),
            3 => (&k.column, KIND_DEFAULTS[2]),
            _ => (&k.roundup, KIND_DEFAULTS[3]),
        };
        let mut w = default;
        for (w, set) in w.iter_mut().zip(written.written()) {
            *w = set.unwrap_or(*w);
        }
        w
    }

    /// Every weight with its key (`position_weight`, `kinds.column.claim_weight`), for
    /// the range checks of `briefing check`: straight news' all, the other kinds' where
    /// set.
    pub fn weights(&self) -> Vec<(String, f64)> {
        let keys = || weight_keys();
        let k = &self.kinds;
        let mut out: Vec<(String, f64)> =
            keys().map(str::to_owned).zip(self.news_weights()).collect();
        for (kind, written) in
            OTHER_KINDS
                .iter()
                .zip([&k.feature, &k.interview, &k.column, &k.roundup])
        {
            for (key, set) in keys().zip(written.written()) {
                if let Some(v) = set {
                    out.push((format!("kinds.{kind}.{key}"), v));
                }
            }
        }
        out
    }
}

/// The keys of [`Weights`], in its order.
pub fn weight_keys() -> impl Iterator<Item = &'static str> {
    FEATURES
        .iter()
        .map(|&(_, key)| key)
        .chain(["redundancy_weight"])
}

/// Where each key of `[summary]` was written. Its values are read into
/// [`SummaryConfig`], which has no room for positions; this second, lenient reading of
/// the same text lets a bad value be reported at its own line.
#[derive(Deserialize)]
struct SummarySpans {
    summary: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
}

impl Checker<'_> {
    /// `[summary]`'s ranges, each at the line of its key (read again from the text,
    /// since [`SummaryConfig`] keeps no positions).
    pub(super) fn summary(&self, summary: &SummaryConfig) {
        let spans: SummarySpans = match toml::from_str(self.text) {
            Ok(spans) => spans,
            Err(e) => return self.report(0..0, "summary", e.message().to_owned()),
        };
        let table = spans.summary;
        let at = |key: &str| {
            table.as_ref().map_or(0..0, |t| {
                t.get_ref().get(key).map_or_else(|| t.span(), Spanned::span)
            })
        };
        let key = |name: &str| format!("summary.{name}");
        let counts = [
            (
                "lines_per_article",
                summary.lines_per_article,
                &LINES_PER_ARTICLE,
            ),
            ("roundup_lines", summary.roundup_lines, &LINES_PER_ARTICLE),
            ("figures_full", summary.figures_full, &FIGURES_FULL),
            ("short_chars", summary.short_chars, &LINE_CHARS),
            ("min_chars", summary.min_chars, &LINE_CHARS),
            ("max_chars", summary.max_chars, &LINE_CHARS),
        ];
        for (name, v, range) in counts {
            self.bounded(&Spanned::new(at(name), v), range, &key(name));
        }
        // A kind's weight is reported at its `[summary.kinds]` table: the table keeps no
        // span per key of the tables inside it.
        for (name, v) in summary.weights() {
            let span = at(name.split('.').next().unwrap_or(&name));
            self.bounded(&Spanned::new(span, v), &WEIGHT, &key(&name));
        }
        if summary.min_chars > summary.max_chars {
            self.report(
                at("min_chars"),
                &key("min_chars"),
                format!(
                    "{} is more than max_chars ({}): every line would be a fragment or a run-on",
                    summary.min_chars, summary.max_chars
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_name_every_config_key() {
        let cfg = SummaryConfig::default();
        let weights = cfg.weights();
        let keys: Vec<&str> = weights.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys.len(), FEATURES.len() + 1);
        assert!(keys.contains(&"centrality_weight") && keys.contains(&"redundancy_weight"));
    }

    /// A kind's table sets its own weights; what it leaves out is the kind's default,
    /// not `[summary]`'s, and straight news keeps `[summary]`'s.
    #[test]
    fn a_kind_table_overrides_its_own_kind_only() {
        let cfg: SummaryConfig = toml::from_str(
            "number_weight = 0.9\n[kinds.column]\nnumber_weight = 2.5\nclaim_weight = 1.5\n",
        )
        .expect("a [summary] table");
        let all: Vec<Weights> = (0..5).map(|k| cfg.weights_of(k)).collect();
        let number = FEATURES.iter().position(|&(_, k)| k == "number_weight");
        let number = number.expect("number_weight is a feature");
        assert_eq!(all[0][number], 0.9);
        assert_eq!(all[3][number], 2.5);
        assert_eq!(all[1][number], KIND_DEFAULTS[0][number]);
        let keys: Vec<String> = cfg.weights().into_iter().map(|(k, _)| k).collect();
        assert!(
            keys.contains(&"kinds.column.claim_weight".to_owned()),
            "{keys:?}"
        );
        let unknown = toml::from_str::<SummaryConfig>("[kinds.column]\nnumbr_weight = 1.0\n");
        assert!(unknown.is_err());
        let unknown_kind = toml::from_str::<SummaryConfig>("[kinds.poem]\nnumber_weight = 1.0\n");
        assert!(unknown_kind.is_err());
    }
}
