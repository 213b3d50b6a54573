//! How lead-first an article is ([`Lead`]), decided from its own text: straight news
//! states the news in its first line, a column, an interview or a scene does not, and
//! the lead prior of the features is only as strong as the signs say.

use serde::Serialize;

use super::features::Line;
use super::kind::LineKind;
use crate::config::SummaryConfig;

/// How lead-first the article is, decided from its own text.
#[derive(Debug, Clone, Serialize)]
pub struct Lead {
    /// 1 for straight news, down to 0 for a piece whose first line is not the news.
    pub strength: f64,
    pub signs: Vec<LeadSign>,
}

/// Why an article's lead prior was strengthened or weakened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadSign {
    /// A label of a column, an editorial, an interview or a reportage.
    Label,
    /// The first line asks a question.
    Question,
    /// The first line is mostly a quotation.
    Quote,
    /// The first line is short: a hook.
    Short,
    /// The first line holds few of the article's keywords: a scene or background.
    FewKeywords,
    /// The first line reports (a reporting verb) or carries figures: straight news.
    Reports,
    /// The first line neither reports nor holds the keywords: a scene or an analogy.
    Scene,
}

impl LeadSign {
    /// What the sign adds to the lead strength. Straight news starts at 0.75 and
    /// reaches 1 when its first line reports; one sign of a feature or column brings
    /// the strength to a half or below.
    fn effect(self) -> f64 {
        match self {
            // A column or an interview is not lead-first by its genre, whatever its
            // first line does.
            LeadSign::Label => -1.0,
            LeadSign::Question | LeadSign::Quote => -0.5,
            LeadSign::Short | LeadSign::FewKeywords | LeadSign::Scene => -0.25,
            LeadSign::Reports => 0.25,
        }
    }

    pub(super) fn describe(self) -> &'static str {
        match self {
            LeadSign::Label => "labelled as a column, editorial, interview or reportage",
            LeadSign::Question => "the first line asks a question",
            LeadSign::Quote => "the first line is a quotation",
            LeadSign::Short => "the first line is a short hook",
            LeadSign::FewKeywords => "the first line holds few of the article's keywords",
            LeadSign::Reports => "the first line reports news or carries figures",
            LeadSign::Scene => "the first line sets a scene: no report, no figures, few keywords",
        }
    }
}

const LEAD_START: f64 = 0.75;

impl Lead {
    /// The lead of an article from the signs its text gives: `labelled` as not
    /// written lead-first (a column, an interview, a feature), its first competing
    /// line `first` and the scaled keyword density of each line.
    pub(super) fn read(
        lines: &[Line],
        first: Option<usize>,
        keywords: &[f64],
        labelled: bool,
        cfg: &SummaryConfig,
    ) -> Lead {
        let mut signs = Vec::new();
        if labelled {
            signs.push(LeadSign::Label);
        }
        // A question never competes, so it is looked for among the lines before the lead.
        let opening = lines
            .iter()
            .find(|l| matches!(l.kind, LineKind::Content | LineKind::Question));
        if opening.is_some_and(|l| l.kind == LineKind::Question) {
            signs.push(LeadSign::Question);
        }
        if let Some(i) = first {
            let l = &lines[i];
            if l.quote_share >= 0.5 {
                signs.push(LeadSign::Quote);
            }
            if l.chars < cfg.short_chars / 2 {
                signs.push(LeadSign::Short);
            }
            if keywords[i] < 0.5 {
                signs.push(LeadSign::FewKeywords);
            }
            if l.peg > 0.0 || l.figures > 0 {
                signs.push(LeadSign::Reports);
            } else if signs.contains(&LeadSign::FewKeywords) {
                signs.push(LeadSign::Scene);
            }
        }
        Lead::decide(signs)
    }

    fn decide(signs: Vec<LeadSign>) -> Lead {
        let strength = signs
            .iter()
            .fold(LEAD_START, |s, sign| s + sign.effect())
            .clamp(0.0, 1.0);
        Lead { strength, signs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Idf;
    use crate::select::{analyse, Heading};

    #[test]
    fn the_lead_weakens_for_columns_questions_and_quotes_only() {
        let idf = Idf::default();
        let cfg = SummaryConfig::default();
        let news = [
            "남해군은 내년 관광 예산 120억원을 확정했다고 3일 밝혔다.",
            "관광 예산은 해안 산책로와 관광 안내소에 쓰인다.",
        ];
        let lead = analyse(&news, &Heading::default(), &idf, &cfg).lead;
        assert_eq!(lead.strength, 1.0, "{lead:?}");
        let column = [
            "지난 주말 해안 산책로에서 만난 노부부는 한참을 바다만 바라봤다?",
            "남해군은 내년 관광 예산 120억원을 확정했다고 3일 밝혔다.",
        ];
        let heading = Heading::new(Some("[기자수첩] 바다를 보는 법"), None);
        let lead = analyse(&column, &heading, &idf, &cfg).lead;
        assert!(lead.signs.contains(&LeadSign::Label), "{lead:?}");
        assert!(lead.signs.contains(&LeadSign::Question), "{lead:?}");
        assert_eq!(lead.strength, 0.0, "{lead:?}");
    }
}
