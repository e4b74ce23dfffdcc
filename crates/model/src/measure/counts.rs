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

    /// Each measured indicator with the part and the whole it is the share of.
    pub fn shares(&self) -> [(&'static str, i64, i64); 9] {
        let returned = self.on_time.saturating_add(self.late);
        [
            ("service.online_dossier_rate", self.received_online, self.received),
            ("service.fully_online_dossier_rate", self.fully_online, self.received),
            ("service.on_time_rate", self.on_time, returned),
            ("service.digitised_rate", self.digitised, self.received),
            ("service.e_result_rate", self.e_result, returned),
            ("service.online_payment_rate", self.paid_online, self.received_with_fee),
            ("service.dossier_sync_rate", self.synced, self.received),
            (
                "service.feedback_on_time_rate",
                self.feedback_on_time,
                self.feedback_on_time.saturating_add(self.feedback_late),
            ),
            (
                "service.feedback_satisfaction_rate",
                self.feedback_satisfied,
                self.feedback_satisfied.saturating_add(self.feedback_unsatisfied),
            ),
        ]
    }

    /// The measured rates, in percent; a rate whose base is zero is not measured.
    pub fn rates(&self) -> Rates {
        let pct = |part: i64, whole: i64| (whole > 0).then(|| 100.0 * part as f64 / whole as f64);
        let returned = self.on_time.saturating_add(self.late);
        Rates {
            online_dossier_rate: pct(self.received_online, self.received),
            fully_online_rate: pct(self.fully_online, self.received),
            on_time_rate: pct(self.on_time, returned),
            digitised_rate: pct(self.digitised, self.received),
            e_result_rate: pct(self.e_result, returned),
            online_payment_rate: pct(self.paid_online, self.received_with_fee),
            sync_rate: pct(self.synced, self.received),
            feedback_on_time_rate: pct(self.feedback_on_time, self.feedback_on_time.saturating_add(self.feedback_late)),
            feedback_satisfaction_rate: pct(
                self.feedback_satisfied,
                self.feedback_satisfied.saturating_add(self.feedback_unsatisfied),
            ),
        }
    }
}

/// Rates in percent, each `None` when nothing it is a share of has happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rates {
    pub online_dossier_rate: Option<f64>,
    pub fully_online_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub digitised_rate: Option<f64>,
    pub e_result_rate: Option<f64>,
    pub online_payment_rate: Option<f64>,
    pub sync_rate: Option<f64>,
    pub feedback_on_time_rate: Option<f64>,
    pub feedback_satisfaction_rate: Option<f64>,
}

impl Rates {
    /// Each rate with the indicator it is a measured value of.
    pub fn by_indicator(&self) -> [(&'static str, Option<f64>); 9] {
        [
            ("service.online_dossier_rate", self.online_dossier_rate),
            ("service.fully_online_dossier_rate", self.fully_online_rate),
            ("service.on_time_rate", self.on_time_rate),
            ("service.digitised_rate", self.digitised_rate),
            ("service.e_result_rate", self.e_result_rate),
            ("service.online_payment_rate", self.online_payment_rate),
            ("service.dossier_sync_rate", self.sync_rate),
            ("service.feedback_on_time_rate", self.feedback_on_time_rate),
            ("service.feedback_satisfaction_rate", self.feedback_satisfaction_rate),
        ]
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
        assert_eq!(r.online_dossier_rate, Some(50.0));
        assert_eq!(r.fully_online_rate, Some(50.0));
        assert!((r.on_time_rate.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert!((r.e_result_rate.unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.online_payment_rate, Some(100.0));
        assert_eq!(r.feedback_on_time_rate, None, "no feedback handled: not measured, not zero");
        assert_eq!(c.paid_amount, 30_000);
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
