//! Live figures from automatic measurement, for the overview and a unit's profile:
//! this month's rates from the roll-ups, page load times, and whether systems send.

use model::measure::Counts;
use model::{Lang, UnitKey, display};

use crate::measure::LoadSummary;
use crate::read::Live;

/// What a page shows of automatic measurement; `None` where nothing was sent.
pub struct LiveFigures {
    pub period: String,
    pub dossiers: String,
    /// (label, value) for each measured rate.
    pub rates: Vec<(&'static str, String)>,
    pub load: Option<String>,
    /// "48/54 hệ thống đang kết nối" or "đang kết nối, gửi lần cuối …".
    pub connection: String,
    pub connected: bool,
}

fn rates(counts: &Counts, lang: Lang) -> Vec<(&'static str, String)> {
    counts
        .rates()
        .iter()
        .filter_map(|(rate, v)| {
            let (vi, en) = rate.label?;
            let text = v.map_or_else(
                || if lang == Lang::Vi { "chưa có".to_owned() } else { "none yet".to_owned() },
                |v| format!("{}%", display::number(v, 1, lang)),
            );
            Some((if lang == Lang::Vi { vi } else { en }, text))
        })
        .collect()
}

fn load(summary: Option<&LoadSummary>, lang: Lang) -> Option<String> {
    summary.map(|l| {
        let n = |v: i64| display::number(v as f64, 0, lang);
        match lang {
            Lang::Vi => format!(
                "Thời gian tải trang: trung vị {} ms, 95% dưới {} ms ({} lượt xem)",
                n(l.p50_ms),
                n(l.p95_ms),
                n(l.views as i64)
            ),
            Lang::En => format!(
                "Page load time: median {} ms, 95% under {} ms ({} views)",
                n(l.p50_ms),
                n(l.p95_ms),
                n(l.views as i64)
            ),
        }
    })
}

impl LiveFigures {
    /// The nation's figures this month, with how many systems are connected.
    pub fn nation(live: &Live, lang: Lang) -> Option<LiveFigures> {
        if live.connections.is_empty() {
            return None;
        }
        let nation = live.nation();
        let connected = live.connections.iter().filter(|c| c.connected).count();
        let connection = match lang {
            Lang::Vi => format!("{connected}/{} hệ thống đang kết nối (gửi trong 24 giờ qua)", live.connections.len()),
            Lang::En => format!("{connected} of {} systems connected (sent within 24 hours)", live.connections.len()),
        };
        Some(LiveFigures {
            period: display::period(live.period, lang),
            dossiers: display::number(nation.received as f64, 0, lang),
            rates: rates(&nation, lang),
            load: load(live.nation_load.as_ref(), lang),
            connection,
            connected: connected > 0,
        })
    }

    /// One unit's figures this month and its system's connection.
    pub fn unit(live: &Live, unit: &UnitKey, lang: Lang) -> Option<LiveFigures> {
        let figures = live.units.get(unit)?;
        let feed = figures.connection.as_ref()?;
        let vn_time = feed.last_arrived + chrono::Duration::hours(7);
        let when = format!("{} {}", vn_time.format("%H:%M"), display::date(vn_time.date_naive(), lang));
        let events = display::number(feed.events as f64, 0, lang);
        let connection = match (lang, feed.connected) {
            (Lang::Vi, true) => format!("Đang kết nối: gửi lần cuối lúc {when}; đã gửi {events} sự kiện."),
            (Lang::Vi, false) => format!("Mất kết nối: không gửi từ {when}; đã gửi {events} sự kiện."),
            (Lang::En, true) => format!("Connected: last sent at {when}; {events} events in all."),
            (Lang::En, false) => format!("Not connected: nothing sent since {when}; {events} events in all."),
        };
        Some(LiveFigures {
            period: display::period(live.period, lang),
            dossiers: display::number(figures.counts.received as f64, 0, lang),
            rates: rates(&figures.counts, lang),
            load: load(figures.load.as_ref(), lang),
            connection,
            connected: feed.connected,
        })
    }
}
