//! Rules of opportunities: money, probability and competitors.

use entity::opportunity::OpportunityStage;

use crate::{
    domain::money::Amount,
    error::{UserError, UserErrorCode},
};

/// The currencies of ISO 4217 in use.
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD \
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
    GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD \
    KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK \
    NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP \
    STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF \
    XPF YER ZAR ZMW ZWG";

/// The most competitors one deal names.
pub const MAX_COMPETITORS: usize = 20;

/// The win probability a stage implies, used until someone sets one.
pub fn default_probability(stage: OpportunityStage) -> i32 {
    match stage {
        OpportunityStage::Discovery => 10,
        OpportunityStage::Qualification => 20,
        OpportunityStage::Evaluation => 40,
        OpportunityStage::Proposal => 60,
        OpportunityStage::Negotiation => 80,
        OpportunityStage::ClosedWon => 100,
        OpportunityStage::ClosedLost => 0,
    }
}

/// Whether a deal is still being worked.
pub fn is_open(stage: OpportunityStage) -> bool {
    !matches!(stage, OpportunityStage::ClosedWon | OpportunityStage::ClosedLost)
}

/// An amount of money: a non-negative decimal with at most two places (see `Amount`), and an
/// ISO 4217 code.
pub fn money(amount: &str, currency: &str) -> Result<(Amount, String), UserError> {
    let value = Amount::parse(&["amount", "amount"], amount)?;
    let code = currency.trim().to_ascii_uppercase();
    if code.len() != 3 || !CURRENCIES.split_ascii_whitespace().any(|c| c == code) {
        return Err(UserError::new(
            &["amount", "currency"],
            UserErrorCode::Invalid,
            "the currency must be an ISO 4217 code such as USD or EUR",
        ));
    }
    Ok((value, code))
}

/// A win probability set by hand: 0 to 100.
pub fn probability(value: i32) -> Result<i16, UserError> {
    i16::try_from(value)
        .ok()
        .filter(|p| (0..=100).contains(p))
        .ok_or_else(|| {
            UserError::new(
                &["probability"],
                UserErrorCode::Invalid,
                "probability must be from 0 to 100",
            )
        })
}

/// Competitor names: trimmed, without blanks or duplicates (ignoring case), each at most 100
/// characters, at most 20 of them. Order is kept.
pub fn competitors(field: &str, names: &[String]) -> Result<Vec<String>, UserError> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(UserError::new(
                &[field],
                UserErrorCode::Invalid,
                "each name must be 1 to 100 characters on one line",
            ));
        }
        if !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            out.push(name.to_owned());
        }
    }
    if out.len() > MAX_COMPETITORS {
        return Err(UserError::new(
            &[field],
            UserErrorCode::Invalid,
            format!("at most {MAX_COMPETITORS} names"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_follows_the_stage() {
        assert_eq!(default_probability(OpportunityStage::Discovery), 10);
        assert_eq!(default_probability(OpportunityStage::Negotiation), 80);
        assert_eq!(default_probability(OpportunityStage::ClosedWon), 100);
        assert_eq!(default_probability(OpportunityStage::ClosedLost), 0);
    }

    #[test]
    fn only_closed_stages_are_closed() {
        assert!(is_open(OpportunityStage::Proposal));
        assert!(!is_open(OpportunityStage::ClosedLost));
    }

    #[test]
    fn money_is_checked_and_normalised() {
        let (amount, currency) = money(" 12500.5 ", "eur").unwrap();
        assert_eq!(amount.minor(), 1_250_050);
        assert_eq!(currency, "EUR");
        assert_eq!(money("-1", "USD").unwrap_err().field, vec!["amount", "amount"]);
        assert_eq!(money("1.005", "USD").unwrap_err().field, vec!["amount", "amount"]);
        assert_eq!(money("ten", "USD").unwrap_err().field, vec!["amount", "amount"]);
        assert_eq!(money("10", "XXQ").unwrap_err().field, vec!["amount", "currency"]);
        assert_eq!(
            money("10", "DOLLARS").unwrap_err().field,
            vec!["amount", "currency"]
        );
        assert!(money("0", "JPY").is_ok());
        assert!(money("1.000", "USD").is_ok());
    }

    #[test]
    fn probability_is_a_percentage() {
        assert_eq!(probability(55).unwrap(), 55);
        assert!(probability(101).is_err());
        assert!(probability(-1).is_err());
    }

    #[test]
    fn competitors_are_trimmed_and_deduplicated() {
        let names = vec![" Acme ".to_owned(), "acme".to_owned(), "Globex".to_owned()];
        assert_eq!(
            competitors("competitors", &names).unwrap(),
            vec!["Acme", "Globex"]
        );
        assert!(competitors("competitors", &[" ".to_owned()]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("c{i}")).collect();
        assert!(competitors("competitors", &many).is_err());
    }
}
