//! The two parties' fields, shared by the eligibility and booking forms: their names (the
//! HTML ids of the API's parameter names, so an API error lands beside its field), reading
//! them into the API's shape, and what a template needs to show them.

use hunyin_http::routes::eligibility::{PartyIn, PermitIn};

use super::places::Picker;
use super::Fields;
use crate::form::Errors;
use crate::lang::Lang;

/// The field names of party `i`.
fn f(i: usize, name: &str) -> String {
    format!("parties-{i}-{name}")
}

const PARTS: [&str; 9] = [
    "id_number",
    "name",
    "hukou_province",
    "hukou_city",
    "hukou_division_code",
    "permit_province",
    "permit_city",
    "residence_permit-division_code",
    "residence_permit-valid_until",
];

/// Every party field, the date and the service: what carries the parties from page to page.
pub fn carried() -> Vec<String> {
    let mut out: Vec<String> = (0..2)
        .flat_map(|i| PARTS.iter().map(move |p| f(i, p)))
        .collect();
    out.push("date".to_owned());
    out.push("service".to_owned());
    out
}

/// The parties as the API takes them.
pub fn read(fields: &Fields) -> Vec<PartyIn> {
    (0..2)
        .map(|i| {
            let until = fields.get(&f(i, "residence_permit-valid_until"));
            let permit_code = fields.get(&f(i, "residence_permit-division_code"));
            let permit_given =
                !until.is_empty() || !fields.get(&f(i, "permit_province")).is_empty();
            PartyIn {
                id_number: fields.get(&f(i, "id_number")).to_ascii_uppercase(),
                name: fields.get(&f(i, "name")).to_owned(),
                hukou_division_code: fields.get(&f(i, "hukou_division_code")).to_owned(),
                residence_permit: permit_given.then(|| PermitIn {
                    division_code: permit_code.to_owned(),
                    valid_until: until.to_owned(),
                }),
            }
        })
        .collect()
}

/// One text field as a template shows it.
#[derive(Debug, Clone)]
pub struct Input {
    pub id: String,
    pub value: String,
    pub error: Option<String>,
}

impl Input {
    pub fn new(id: String, fields: &Fields, errors: &Errors) -> Input {
        Input {
            value: fields.get(&id).to_owned(),
            error: errors.of(&id).map(str::to_owned),
            id,
        }
    }
}

/// One party's fieldset.
#[derive(Debug, Clone)]
pub struct PartyInputs {
    pub legend: String,
    pub id_number: Input,
    pub name: Input,
    pub hukou: Picker,
    pub hukou_error: Option<String>,
    pub permit: Picker,
    pub permit_error: Option<String>,
    pub permit_until: Input,
}

/// Both parties' fieldsets with the values given and the errors beside them.
pub fn inputs(lang: Lang, fields: &Fields, errors: &Errors) -> Vec<PartyInputs> {
    (0..2)
        .map(|i| {
            let picker = |a: &str, b: &str, c: &str, permit: bool| {
                let ids = [f(i, a), f(i, b), f(i, c)];
                let chosen = [
                    fields.get(&ids[0]),
                    fields.get(&ids[1]),
                    fields.get(&ids[2]),
                ];
                let chosen = chosen.map(|s| s.to_owned());
                Picker::new(lang, ids, [&chosen[0], &chosen[1], &chosen[2]], permit)
            };
            PartyInputs {
                legend: if i == 0 {
                    lang.t("第一方", "First party").to_owned()
                } else {
                    lang.t("第二方", "Second party").to_owned()
                },
                id_number: Input::new(f(i, "id_number"), fields, errors),
                name: Input::new(f(i, "name"), fields, errors),
                hukou: picker("hukou_province", "hukou_city", "hukou_division_code", false),
                hukou_error: errors.of(&f(i, "hukou_division_code")).map(str::to_owned),
                permit: picker(
                    "permit_province",
                    "permit_city",
                    "residence_permit-division_code",
                    true,
                ),
                permit_error: errors
                    .of(&f(i, "residence_permit-division_code"))
                    .map(str::to_owned),
                permit_until: Input::new(f(i, "residence_permit-valid_until"), fields, errors),
            }
        })
        .collect()
}
