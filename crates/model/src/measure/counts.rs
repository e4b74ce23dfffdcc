//! What events add up to, and the rates measured from it.

use serde::{Deserialize, Serialize};

use super::{Channel, What};

/// Declares `Counts` with its counters, `COUNT_NAMES` and the conversions to and from an
/// array, from one list, so that the four never disagree.
macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// What a set of events adds up to, for one unit, procedure and day or month.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Counts {
            $($(#[$doc])* pub $name: i64,)*
        }

        /// The counters' names, as the store's columns and the API's fields spell them.
        pub const COUNT_NAMES: [&str; 20] = [$(stringify!($name)),*];

        impl Counts {
            /// The counters in the order of `COUNT_NAMES`.
            pub fn to_array(&self) -> [i64; 20] {
                [$(self.$name),*]
            }

            pub fn from_array(a: [i64; 20]) -> Counts {
                let [$($name),*] = a;
                Counts { $($name),* }
            }
        }
    };
}

counters! {
    received,
    received_online,
    received_in_person,
    received_postal,
    fully_online,
    /// Received dossiers of procedures that carry a fee: what online payment is a share of.
    received_with_fee,
    processed,
    on_time,
    late,
    e_result,
    digitised,
    paid_online,
    paid_amount,
    synced,
    feedback_received,
    feedback_on_time,
    feedback_late,
    feedback_satisfied,
    feedback_unsatisfied,
    page_views,
}

impl Counts {
    /// Adds one event; `with_fee` says whether its procedure carries a fee.
    pub fn add(&mut self, what: What, with_fee: bool) {
        self.count(what, with_fee, 1);
    }

    /// Takes back what `add` added.
    pub fn remove(&mut self, what: What, with_fee: bool) {
        self.count(what, with_fee, -1);
    }

    pub fn is_zero(&self) -> bool {
        self.to_array().iter().all(|n| *n == 0)
    }

    fn count(&mut self, what: What, with_fee: bool, one: i64) {
        match what {
            What::Received { channel, fully_online } => {
                self.received += one;
                match channel {
                    Channel::Online => self.received_online += one,
                    Channel::InPerson => self.received_in_person += one,
                    Channel::Postal => self.received_postal += one,
                }
                self.fully_online += one * i64::from(fully_online);
                self.received_with_fee += one * i64::from(with_fee);
            }
            What::Processed => self.processed += one,
            What::Returned { on_time: true } => self.on_time += one,
            What::Returned { on_time: false } => self.late += one,
            What::ElectronicResult => self.e_result += one,
            What::Digitised => self.digitised += one,
            What::PaidOnline { amount } => {
                self.paid_online += one;
                // Amounts are large: their sum stops at i64's end rather than wrap.
                self.paid_amount = self.paid_amount.saturating_add(one.saturating_mul(amount));
            }
            What::Synced => self.synced += one,
            What::FeedbackReceived => self.feedback_received += one,
            What::FeedbackHandled { on_time: true } => self.feedback_on_time += one,
            What::FeedbackHandled { on_time: false } => self.feedback_late += one,
            What::FeedbackRated { satisfied: true } => self.feedback_satisfied += one,
            What::FeedbackRated { satisfied: false } => self.feedback_unsatisfied += one,
            What::PageView { .. } => self.page_views += one,
        }
    }

    pub fn merge(&mut self, other: &Counts) {
        let mut a = self.to_array();
        for (x, y) in a.iter_mut().zip(other.to_array()) {
            *x = x.saturating_add(y);
        }
        *self = Counts::from_array(a);
    }

    /// The measured rates, in percent; a rate whose base is zero is not measured.
    pub fn rates(&self) -> Rates {
        Rates(RATES.map(|rate| rate.percent(self)))
    }
}

/// A rate measured from events: the indicator it is a value of, its name in the API,
/// what a page calls it, and the counters it is the share of.
pub struct Rate {
    pub indicator: &'static str,
    pub name: &'static str,
    /// Vietnamese and English labels, where the live figures show this rate.
    pub label: Option<(&'static str, &'static str)>,
    part: fn(&Counts) -> i64,
    whole: fn(&Counts) -> i64,
}

impl Rate {
    /// The part and the whole the rate is the share of.
    pub fn share(&self, counts: &Counts) -> (i64, i64) {
        ((self.part)(counts), (self.whole)(counts))
    }

    /// In percent; `None` when nothing it is a share of has happened.
    pub fn percent(&self, counts: &Counts) -> Option<f64> {
        let (part, whole) = self.share(counts);
        (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
    }
}

/// Every measured rate: the one table that publishing, the API, the live figures and the
/// benchmark read.
pub const RATES: [Rate; 9] = [
    Rate {
        indicator: "service.online_dossier_rate",
        name: "online_dossier_rate",
        label: Some(("Hồ sơ tiếp nhận trực tuyến", "Dossiers received online")),
        part: |c| c.received_online,
        whole: |c| c.received,
    },
    Rate {
        indicator: "service.fully_online_dossier_rate",
        name: "fully_online_rate",
        label: Some(("Hồ sơ trực tuyến toàn trình", "Dossiers handled fully online")),
        part: |c| c.fully_online,
        whole: |c| c.received,
    },
    Rate {
        indicator: "service.on_time_rate",
        name: "on_time_rate",
        label: Some(("Hồ sơ giải quyết đúng hạn", "Dossiers resolved on time")),
        part: |c| c.on_time,
        whole: |c| c.on_time.saturating_add(c.late),
    },
    Rate {
        indicator: "service.digitised_rate",
        name: "digitised_rate",
        label: Some(("Hồ sơ được số hóa", "Dossiers digitised")),
        part: |c| c.digitised,
        whole: |c| c.received,
    },
    Rate {
        indicator: "service.e_result_rate",
        name: "e_result_rate",
        label: Some(("Hồ sơ có kết quả điện tử", "Dossiers with an electronic result")),
        part: |c| c.e_result,
        whole: |c| c.on_time.saturating_add(c.late),
    },
    Rate {
        indicator: "service.online_payment_rate",
        name: "online_payment_rate",
        label: Some(("Hồ sơ thanh toán trực tuyến", "Dossiers paid online")),
        part: |c| c.paid_online,
        whole: |c| c.received_with_fee,
    },
    Rate {
        indicator: "service.dossier_sync_rate",
        name: "sync_rate",
        label: Some(("Hồ sơ đồng bộ lên Cổng DVC quốc gia", "Dossiers synchronised to the national portal")),
        part: |c| c.synced,
        whole: |c| c.received,
    },
    Rate {
        indicator: "service.feedback_on_time_rate",
        name: "feedback_on_time_rate",
        label: None,
        part: |c| c.feedback_on_time,
        whole: |c| c.feedback_on_time.saturating_add(c.feedback_late),
    },
    Rate {
        indicator: "service.feedback_satisfaction_rate",
        name: "feedback_satisfaction_rate",
        label: None,
        part: |c| c.feedback_satisfied,
        whole: |c| c.feedback_satisfied.saturating_add(c.feedback_unsatisfied),
    },
];

/// Rates in percent in the order of `RATES`, each `None` when nothing it is a share of
/// has happened. Serialised as an object keyed by each rate's name.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates([Option<f64>; 9]);

impl Rates {
    /// Each rate with its value.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Rate, Option<f64>)> + '_ {
        RATES.iter().zip(self.0.iter().copied())
    }

    /// The rate measured for an indicator, if it is one of `RATES` and was measured.
    pub fn of(&self, indicator: &str) -> Option<f64> {
        self.iter().find(|(rate, _)| rate.indicator == indicator).and_then(|(_, v)| v)
    }
}

impl Serialize for Rates {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(RATES.len()))?;
        for (rate, value) in self.iter() {
            map.serialize_entry(rate.name, &value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_shares_of_their_own_base() {
        let mut c = Counts::default();
        c.add(What::Received { channel: Channel::Online, fully_online: true }, true);
        c.add(What::Received { channel: Channel::InPerson, fully_online: false }, false);
        c.add(What::Returned { on_time: true }, false);
        c.add(What::Returned { on_time: true }, false);
        c.add(What::Returned { on_time: false }, false);
        c.add(What::ElectronicResult, false);
        c.add(What::PaidOnline { amount: 30_000 }, false);
        let r = c.rates();
        assert_eq!(r.of("service.online_dossier_rate"), Some(50.0));
        assert_eq!(r.of("service.fully_online_dossier_rate"), Some(50.0));
        assert!((r.of("service.on_time_rate").unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert!((r.of("service.e_result_rate").unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.of("service.online_payment_rate"), Some(100.0));
        assert_eq!(r.of("service.feedback_on_time_rate"), None, "no feedback handled: not measured, not zero");
        assert_eq!(c.paid_amount, 30_000);
        let json = serde_json::to_value(r).unwrap();
        assert_eq!(json["online_dossier_rate"], 50.0, "the API names each rate: {json}");
        assert_eq!(json["sync_rate"], 0.0);
        assert_eq!(json["feedback_on_time_rate"], serde_json::Value::Null);
        assert_eq!(json.as_object().unwrap().len(), RATES.len());
    }

    #[test]
    fn counts_add_up_in_any_order() {
        let events = [What::Processed, What::Received { channel: Channel::Postal, fully_online: false }, What::Synced];
        let mut forward = Counts::default();
        events.iter().for_each(|w| forward.add(*w, false));
        let mut backward = Counts::default();
        events.iter().rev().for_each(|w| backward.add(*w, false));
        assert_eq!(forward, backward);
        let mut merged = Counts::default();
        merged.merge(&forward);
        merged.merge(&backward);
        assert_eq!(Counts::from_array(merged.to_array()), merged);
        assert_eq!(merged.received, 2);
    }
}
