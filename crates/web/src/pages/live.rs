//! Live figures from automatic measurement, for the overview and a unit's profile:
//! this month's rates from the roll-ups, page load times, and whether systems send.

use chrono::Utc;
use model::display;
use model::measure::Counts;
use model::{Lang, UnitKey};
use store::{Store, StoreError};

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

fn labels(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Vi => [
            "Hồ sơ tiếp nhận trực tuyến",
            "Hồ sơ trực tuyến toàn trình",
            "Hồ sơ giải quyết đúng hạn",
            "Hồ sơ được số hóa",
            "Hồ sơ có kết quả điện tử",
            "Hồ sơ thanh toán trực tuyến",
            "Hồ sơ đồng bộ lên Cổng DVC quốc gia",
        ],
        Lang::En => [
            "Dossiers received online",
            "Dossiers handled fully online",
            "Dossiers resolved on time",
            "Dossiers digitised",
            "Dossiers with an electronic result",
            "Dossiers paid online",
            "Dossiers synchronised to the national portal",
        ],
    }
}

fn rates(counts: &Counts, lang: Lang) -> Vec<(&'static str, String)> {
    let r = counts.rates();
    let values = [
        r.online_dossier_rate,
        r.fully_online_rate,
        r.on_time_rate,
        r.digitised_rate,
        r.e_result_rate,
        r.online_payment_rate,
        r.sync_rate,
    ];
    labels(lang)
        .into_iter()
        .zip(values)
        .map(|(label, v)| {
            let text = v.map_or_else(
                || if lang == Lang::Vi { "chưa có".to_owned() } else { "none yet".to_owned() },
                |v| format!("{}%", display::number(v, 1, lang)),
            );
            (label, text)
        })
        .collect()
}

async fn load(
    store: &Store,
    unit: Option<&UnitKey>,
    period: model::Period,
    lang: Lang,
) -> Result<Option<String>, StoreError> {
    Ok(ops::measure::load_times(store, unit, period).await?.map(|l| {
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
    }))
}

/// The nation's figures this month, with how many systems are connected.
pub async fn nation(store: &Store, lang: Lang) -> Result<Option<LiveFigures>, StoreError> {
    let now = Utc::now();
    let period = ops::measure::this_month(now);
    let connections = ops::measure::connections(store, now).await?;
    if connections.is_empty() {
        return Ok(None);
    }
    let totals = ops::measure::totals(store, period).await?;
    let nation =
        totals.into_iter().find(|(u, _)| u.as_str() == ops::measure::NATION).map(|(_, c)| c).unwrap_or_default();
    let live = connections.iter().filter(|c| c.connected).count();
    let connection = match lang {
        Lang::Vi => format!("{live}/{} hệ thống đang kết nối (gửi trong 24 giờ qua)", connections.len()),
        Lang::En => format!("{live} of {} systems connected (sent within 24 hours)", connections.len()),
    };
    Ok(Some(LiveFigures {
        period: display::period(period, lang),
        dossiers: display::number(nation.received as f64, 0, lang),
        rates: rates(&nation, lang),
        load: load(store, None, period, lang).await?,
        connection,
        connected: live > 0,
    }))
}

/// One unit's figures this month and its system's connection.
pub async fn unit(store: &Store, unit: &UnitKey, lang: Lang) -> Result<Option<LiveFigures>, StoreError> {
    let now = Utc::now();
    let period = ops::measure::this_month(now);
    let Some(feed) = ops::measure::connections(store, now).await?.into_iter().find(|c| c.unit == *unit) else {
        return Ok(None);
    };
    let (from, to) = ops::measure::months(period);
    let counts =
        store.unit_totals(from, to).await?.into_iter().find(|(u, _)| u == unit).map(|(_, c)| c).unwrap_or_default();
    let vn_time = feed.last_arrived + chrono::Duration::hours(7);
    let when = format!("{} {}", vn_time.format("%H:%M"), display::date(vn_time.date_naive(), lang));
    let events = display::number(feed.events as f64, 0, lang);
    let connection = match (lang, feed.connected) {
        (Lang::Vi, true) => format!("Đang kết nối: gửi lần cuối lúc {when}; đã gửi {events} sự kiện."),
        (Lang::Vi, false) => format!("Mất kết nối: không gửi từ {when}; đã gửi {events} sự kiện."),
        (Lang::En, true) => format!("Connected: last sent at {when}; {events} events in all."),
        (Lang::En, false) => format!("Not connected: nothing sent since {when}; {events} events in all."),
    };
    Ok(Some(LiveFigures {
        period: display::period(period, lang),
        dossiers: display::number(counts.received as f64, 0, lang),
        rates: rates(&counts, lang),
        load: load(store, Some(unit), period, lang).await?,
        connection,
        connected: feed.connected,
    }))
}
