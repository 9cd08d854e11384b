//! The place picker of GB/T 2260: province, then city, then county, as three `<select>`s.
//! Without JavaScript the form is posted with "show the choices" to fill the next select
//! (values kept); with it, a change posts the form by itself.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use hunyin_domain::division;

use crate::lang::Lang;

/// The current divisions, grouped for the picker.
struct Places {
    /// `32` -> 江苏省
    provinces: Vec<(String, &'static str)>,
    /// `32` -> [(`3205`, 苏州市)]
    cities: BTreeMap<String, Vec<(String, String)>>,
    /// `3205` -> [(`320505`, 虎丘区)]
    counties: BTreeMap<String, Vec<(String, &'static str)>>,
}

static PLACES: LazyLock<Places> = LazyLock::new(|| {
    let all = division::current();
    let name_of = |code: &str| {
        all.iter()
            .find(|d| d.code.to_string() == code)
            .map(|d| d.name)
    };
    let mut p = Places {
        provinces: Vec::new(),
        cities: BTreeMap::new(),
        counties: BTreeMap::new(),
    };
    for d in &all {
        let code = d.code.to_string();
        let (prov, city) = (&code[..2], &code[..4]);
        if &code[2..] == "0000" {
            p.provinces.push((prov.to_owned(), d.name));
            continue;
        }
        if &code[4..] != "00" {
            p.counties
                .entry(city.to_owned())
                .or_default()
                .push((code.clone(), d.name));
        }
        let cities = p.cities.entry(prov.to_owned()).or_default();
        if !cities.iter().any(|(c, _)| c == city) {
            // A municipality's 市辖区 is abolished: its counties stand under the province's name.
            let name = match name_of(&format!("{city}00")) {
                Some(n) if n != "市辖区" && n != "县" => n.to_owned(),
                _ => name_of(&format!("{prov}0000")).unwrap_or("").to_owned(),
            };
            cities.push((city.to_owned(), name));
        }
    }
    p
});

/// One option of a select.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A picker as a template shows it.
#[derive(Debug, Clone)]
pub struct Picker {
    /// Names (and ids) of the three selects.
    pub province_id: String,
    pub city_id: String,
    pub county_id: String,
    pub provinces: Vec<Opt>,
    pub cities: Vec<Opt>,
    pub counties: Vec<Opt>,
    /// The residence permit's picker: its third level may be the whole city.
    pub permit: bool,
}

fn options<T: AsRef<str>>(items: &[(String, T)], chosen: &str) -> Vec<Opt> {
    items
        .iter()
        .map(|(v, l)| Opt {
            value: v.clone(),
            label: l.as_ref().to_owned(),
            selected: v == chosen,
        })
        .collect()
}

impl Picker {
    /// The picker whose selects are named `province_id`, `city_id`, `county_id`, with the
    /// values chosen so far (a city outside the province, or a county outside the city, is
    /// dropped).
    pub fn new(lang: Lang, ids: [String; 3], chosen: [&str; 3], permit: bool) -> Picker {
        let p = &*PLACES;
        let [prov, city, county] = chosen;
        let prov = if p.provinces.iter().any(|(c, _)| c == prov) {
            prov
        } else {
            ""
        };
        let cities = p.cities.get(prov).cloned().unwrap_or_default();
        let city = if cities.iter().any(|(c, _)| c == city) {
            city
        } else {
            ""
        };
        let mut counties: Vec<(String, String)> = p
            .counties
            .get(city)
            .map(|v| {
                v.iter()
                    .map(|(c, n)| (c.clone(), (*n).to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        if !city.is_empty() && (permit || counties.is_empty()) {
            // A city with no counties (东莞市) is the place itself; a permit may name the city.
            let name = cities
                .iter()
                .find(|(c, _)| c == city)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            let label = if permit && !counties.is_empty() {
                format!("{}{name}", lang.t("全市：", "Whole city: "))
            } else {
                name
            };
            counties.insert(0, (format!("{city}00"), label));
        }
        let [province_id, city_id, county_id] = ids;
        Picker {
            province_id,
            city_id,
            county_id,
            provinces: options(&p.provinces, prov),
            cities: options(&cities, city),
            counties: options(&counties, county),
            permit,
        }
    }
}

/// Query of [`children`].
#[derive(Debug, serde::Deserialize)]
pub struct ChildrenQuery {
    #[serde(default)]
    permit: Option<String>,
}

/// `GET /places/{code}`: the cities of a province (`32`) or the counties of a city (`3205`),
/// as `[[code, name], …]`, for the picker's script. Public data, cached a day.
pub async fn children(
    req: actix_web::HttpRequest,
    code: actix_web::web::Path<String>,
    q: actix_web::web::Query<ChildrenQuery>,
) -> actix_web::HttpResponse {
    let lang = Lang::of(&req);
    let code = code.into_inner();
    let permit = q.permit.is_some();
    let ids = [String::new(), String::new(), String::new()];
    let list = match code.len() {
        2 => Picker::new(lang, ids, [&code, "", ""], permit).cities,
        4 if code.bytes().all(|b| b.is_ascii_digit()) => {
            Picker::new(lang, ids, [&code[..2], &code, ""], permit).counties
        }
        _ => Vec::new(),
    };
    let pairs: Vec<(String, String)> = list.into_iter().map(|o| (o.value, o.label)).collect();
    actix_web::HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=86400",
        ))
        .insert_header((actix_web::http::header::VARY, "cookie, accept-language"))
        .json(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_county_is_reached_by_its_province_and_city() {
        let ids = ["p".to_owned(), "c".to_owned(), "x".to_owned()];
        let p = Picker::new(Lang::Zh, ids.clone(), ["32", "3205", "320505"], false);
        assert!(p
            .provinces
            .iter()
            .any(|o| o.selected && o.label == "江苏省"));
        assert!(p.cities.iter().any(|o| o.selected && o.label == "苏州市"));
        assert!(p.counties.iter().any(|o| o.selected && o.label == "虎丘区"));
        // Beijing's districts stand under the municipality's name.
        let b = Picker::new(Lang::Zh, ids.clone(), ["11", "1101", ""], false);
        assert!(b
            .cities
            .iter()
            .any(|o| o.value == "1101" && o.label == "北京市"));
        assert!(b.counties.iter().any(|o| o.value == "110101"));
        // A city from another province is not kept.
        let wrong = Picker::new(Lang::Zh, ids, ["11", "3205", "320505"], false);
        assert!(wrong.counties.is_empty() && !wrong.cities.iter().any(|o| o.selected));
    }
}
