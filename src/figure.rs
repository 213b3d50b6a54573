//! Figures as a reader reads them: a number whole with its unit (`500만명`, `35조
//! 3000억원`, `1만호`) and what kind of fact it is. The selection counts every number
//! with a unit ([`score::figures`]), dates included, because a date is a key fact of a
//! notice; but a reader's eye goes to what is bold, and a bold `5일` or the `3호` of
//! `3호선` points at nothing. So what is set in bold and what the day at a glance
//! quotes are the quantities only: amounts, percentages and counts.

use crate::score;

/// What a figure says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Money: `728조원`, `98억 달러`, `12조`.
    Amount,
    /// `2.50%`, `0.3%p`, `5퍼센트`.
    Percent,
    /// People, things, times, durations: `500만명`, `37개`, `3배`, `2년`.
    Count,
    /// When: `5일`, `9월`, `2025년`.
    Date,
    /// A clock time or a span in minutes or seconds: `30분`, `10초`.
    Time,
    /// A place in an order: `제12회`, `1위`, `2차`, `3번째`.
    Ordinal,
    /// A number inside a name: `3호선`, `2호기`.
    Name,
    /// A result: `7대 3`.
    Score,
}

impl Kind {
    /// How much or how many: the figures a reader scans a briefing for.
    pub fn is_quantity(self) -> bool {
        matches!(self, Kind::Amount | Kind::Percent | Kind::Count)
    }
}

/// One figure of a text: a slice of it and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure<'a> {
    pub text: &'a str,
    /// Byte offset of `text` in the text it came from.
    pub start: usize,
    pub kind: Kind,
}

/// Number words that a further number or a counter completes: `35조 3000억원` is one
/// amount, `500만명` one count.
const MULTIPLIERS: &[&str] = &["천", "만", "억", "조"];

/// Counters and currencies that follow a multiplier (`1만호`, `500만 명`, `98억 달러`),
/// longest first.
const COUNTERS: &[&str] = &[
    "달러", "유로", "위안", "가구", "세대", "개사", "명", "원", "호", "건", "개", "곳", "대", "톤",
    "엔", "주", "표",
];

/// What may follow a quantity inside the same word without making it part of a name:
/// particles, and the words of approximation and range (`3억원가량`, `30%대`).
const AFTER: &[&str] = &[
    "가량",
    "남짓",
    "안팎",
    "이상",
    "이하",
    "미만",
    "정도",
    "수준",
    "여",
    "대",
    "씩",
    "당",
    "간",
    "째",
    "께",
    "쯤",
    "분",
    "어치",
    "에서",
    "에게",
    "으로",
    "까지",
    "부터",
    "보다",
    "이며",
    "이고",
    "이다",
    "였다",
    "이었다",
    "이나",
    "로",
    "에",
    "의",
    "을",
    "를",
    "이",
    "가",
    "은",
    "는",
    "과",
    "와",
    "도",
    "만",
    "나",
];

/// The figures of `text` in order, each whole with its unit.
pub fn figures(text: &str) -> Vec<Figure<'_>> {
    let mut out: Vec<Figure> = Vec::new();
    for raw in score::figures(text) {
        // `score::figures` yields slices of `text`: their offset is their place.
        let start = raw.as_ptr() as usize - text.as_ptr() as usize;
        let end = start + raw.len();
        if let Some(last) = out.last_mut() {
            let end_of_last = last.start + last.text.len();
            let gap = &text[end_of_last..start];
            let compound = (gap.is_empty() || gap == " ")
                && MULTIPLIERS.iter().any(|m| last.text.ends_with(m));
            if compound || RANGE.contains(&gap.trim()) {
                last.text = &text[last.start..end];
                continue;
            }
        }
        // `10~20%`: the range's first number has no unit of its own.
        let start = range_start(text, start);
        out.push(Figure {
            text: &text[start..end],
            start,
            kind: Kind::Count,
        });
    }
    for figure in &mut out {
        let mut end = with_counter(text, figure.start + figure.text.len());
        figure.kind = kind(text, figure.start, end);
        if figure.kind == Kind::Name {
            // The whole name (`3호선`), so that nothing shows half of it.
            end += text[end..]
                .find(|c: char| !is_hangul(c))
                .unwrap_or(text.len() - end);
        }
        figure.text = &text[figure.start..end];
    }
    out
}

/// What joins the two ends of a range: `12개월~12세`, `10~20%`.
const RANGE: &[&str] = &["~", "∼", "〜"];

/// Where a figure starting at `start` starts once a bare number and a range sign
/// before it are taken in (`10~` of `10~20%`).
fn range_start(text: &str, start: usize) -> usize {
    let head = text[..start].trim_end();
    let Some(sign) = RANGE.iter().find(|r| head.ends_with(*r)) else {
        return start;
    };
    let before = head[..head.len() - sign.len()].trim_end();
    let digits = before.len()
        - before
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == ',' || c == '.')
            .len();
    match digits {
        0 => start,
        n => before.len() - n,
    }
}

/// The quantities of `text`: what may be set in bold or quoted.
pub fn quantities(text: &str) -> impl Iterator<Item = Figure<'_>> {
    figures(text).into_iter().filter(|f| f.kind.is_quantity())
}

/// The end of a figure ending at `end` once a counter after its multiplier is taken
/// in: `1만` + `호`, `98억` + ` 달러`.
fn with_counter(text: &str, end: usize) -> usize {
    let figure_end = &text[..end];
    if !MULTIPLIERS.iter().any(|m| figure_end.ends_with(m)) {
        return end;
    }
    let rest = &text[end..];
    let (space, rest) = match rest.strip_prefix(' ') {
        Some(r) => (1, r),
        None => (0, rest),
    };
    match COUNTERS.iter().find(|c| rest.starts_with(*c)) {
        // A spaced counter must be a word of its own or carry a particle: `98억 달러`,
        // not `500만 대구 시민`.
        Some(c) if space == 0 || fits(&rest[c.len()..]) => end + space + c.len(),
        _ => end,
    }
}

/// Whether what follows a figure in its word (`rest` up to the next space) leaves the
/// figure a quantity of its own.
fn fits(rest: &str) -> bool {
    let word_end = rest
        .find(|c: char| c.is_whitespace() || !is_hangul(c))
        .unwrap_or(rest.len());
    let tail = &rest[..word_end];
    tail.is_empty() || ends_in_particles(tail)
}

/// `tail` is made of approximation words and particles only (`가량으로`, `대에서`).
fn ends_in_particles(tail: &str) -> bool {
    if tail.is_empty() {
        return true;
    }
    AFTER
        .iter()
        .filter(|a| tail.starts_with(*a))
        .any(|a| ends_in_particles(&tail[a.len()..]))
}

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// The kind of the figure `text[start..end]`, from its unit and its neighbours.
fn kind(text: &str, start: usize, end: usize) -> Kind {
    let figure = &text[start..end];
    let before = &text[..start];
    let after = &text[end..];
    if before.ends_with('제') {
        return Kind::Ordinal;
    }
    let unit_at = figure
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let unit = figure[unit_at..].trim_start();
    if unit == "대" && is_score(after) {
        return Kind::Score;
    }
    if !fits(after) {
        return Kind::Name;
    }
    match unit {
        "%" | "%p" | "퍼센트" | "포인트" => Kind::Percent,
        "일" | "월" => Kind::Date,
        "년" if leading_number(figure) >= 1000 => Kind::Date,
        "분" | "초" => Kind::Time,
        "위" | "차" | "번째" => Kind::Ordinal,
        u if is_money(u) => Kind::Amount,
        _ => Kind::Count,
    }
}

/// `7대 3`, `7대3`: a result, not seven vehicles.
fn is_score(after: &str) -> bool {
    after
        .strip_prefix(' ')
        .unwrap_or(after)
        .starts_with(|c: char| c.is_ascii_digit())
}

/// Money, or a bare multiplier, which in news is money nine times in ten (`12조`).
fn is_money(unit: &str) -> bool {
    ["원", "달러", "유로", "위안", "엔"]
        .iter()
        .any(|u| unit.ends_with(u))
        || MULTIPLIERS.iter().any(|m| unit.ends_with(m))
}

/// The digits a figure starts with, as a number (`2,025년` → 2025).
fn leading_number(figure: &str) -> u64 {
    figure
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .fold(0u64, |n, c| {
            n.saturating_mul(10)
                .saturating_add(u64::from(c) - u64::from('0'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(text, [(figure, kind)])`: what a reader would mark.
    const CASES: &[(&str, &[(&str, Kind)])] = &[
        (
            "정부가 내년 예산을 728조원으로 편성했다.",
            &[("728조원", Kind::Amount)],
        ),
        (
            "예산은 35조 3000억원이며 1만호를 짓는다.",
            &[("35조 3000억원", Kind::Amount), ("1만호", Kind::Count)],
        ),
        (
            "관람객 500만명이 다녀갔고 3호선 운행이 재개됐다.",
            &[("500만명", Kind::Count), ("3호선", Kind::Name)],
        ),
        (
            "오는 5일부터 2025년 제12회 축제가 열린다.",
            &[
                ("5일", Kind::Date),
                ("2025년", Kind::Date),
                ("12회", Kind::Ordinal),
            ],
        ),
        (
            "시범경기에서 붉은매를 7대 3으로 꺾었다.",
            &[("7대", Kind::Score)],
        ),
        (
            "기준금리를 연 2.50%로 동결했고 점유율은 49.9%에서 34.1%로 떨어졌다.",
            &[
                ("2.50%", Kind::Percent),
                ("49.9%", Kind::Percent),
                ("34.1%", Kind::Percent),
            ],
        ),
        (
            "수출이 98억 달러로 늘었고 2년 만에 37개 멤버사로 커졌다.",
            &[
                ("98억 달러", Kind::Amount),
                ("2년", Kind::Count),
                ("37개", Kind::Count),
            ],
        ),
        (
            "30분 뒤 1위에 올랐다.",
            &[("30분", Kind::Time), ("1위", Kind::Ordinal)],
        ),
        ("3억원가량을 들였다.", &[("3억원", Kind::Amount)]),
        (
            "생후 12개월~12세 소아와 10~20% 늘어난 예산",
            &[("12개월~12세", Kind::Count), ("10~20%", Kind::Percent)],
        ),
    ];

    #[test]
    fn figures_are_whole_and_of_their_kind() {
        for (text, want) in CASES {
            let got: Vec<(&str, Kind)> = figures(text).iter().map(|f| (f.text, f.kind)).collect();
            assert_eq!(&got, want, "{text}");
            for f in figures(text) {
                assert_eq!(&text[f.start..f.start + f.text.len()], f.text);
            }
        }
    }

    #[test]
    fn only_quantities_are_quantities() {
        let text = "오는 5일 제12회 행사에 500만명이 모였고 3호선은 7대 3.";
        let q: Vec<&str> = quantities(text).map(|f| f.text).collect();
        assert_eq!(q, ["500만명"]);
    }
}
