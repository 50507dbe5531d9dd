//! First names of the demo's synthetic participants, by gender, so that a name never
//! contradicts the gender recorded beside it. Besides names common in France, each list holds
//! names often met in the French-as-a-foreign-language (FLE) groups of a PLIE; a name decides
//! nothing about a person, it only weights the synthetic answers drawn for them (the French
//! need, the ESF+ questions on nationality and background) so that the demo reads plausibly.

use super::participants::Seq;
use crate::participants::Gender;

/// Women's first names, with whether the name is one often met in FLE groups.
const WOMEN: &[(&str, bool)] = &[
    ("Julie", false),
    ("Sarah", false),
    ("Laura", false),
    ("Chloé", false),
    ("Manon", false),
    ("Élodie", false),
    ("Camille", false),
    ("Émilie", false),
    ("Céline", false),
    ("Sandrine", false),
    ("Nathalie", false),
    ("Aurélie", false),
    ("Stéphanie", false),
    ("Marine", false),
    ("Jessica", false),
    ("Océane", false),
    ("Inès", false),
    ("Nadia", false),
    ("Samia", false),
    ("Leïla", false),
    ("Amina", true),
    ("Fatoumata", true),
    ("Aïcha", true),
    ("Fatima", true),
    ("Khadija", true),
    ("Mariam", true),
    ("Aminata", true),
    ("Hawa", true),
    ("Linh", true),
    ("Svetlana", true),
    ("Zeynep", true),
];

/// Men's first names, likewise.
const MEN: &[(&str, bool)] = &[
    ("Julien", false),
    ("Kevin", false),
    ("Yannick", false),
    ("Sébastien", false),
    ("Nicolas", false),
    ("Grégory", false),
    ("Loïc", false),
    ("Thomas", false),
    ("Anthony", false),
    ("David", false),
    ("Christophe", false),
    ("Jérôme", false),
    ("Maxime", false),
    ("Florian", false),
    ("Dylan", false),
    ("Cédric", false),
    ("Mehdi", false),
    ("Rachid", false),
    ("Karim", false),
    ("Yanis", false),
    ("Mohamed", true),
    ("Ibrahim", true),
    ("Moussa", true),
    ("Mamadou", true),
    ("Youssef", true),
    ("Abdoulaye", true),
    ("Ahmed", true),
    ("Omar", true),
    ("Minh", true),
    ("Oleksandr", true),
    ("Souleymane", true),
];

/// The first names the demo gives to people of `gender` (none for a non-binary person: the
/// demo records none).
pub fn first_names(gender: Gender) -> impl Iterator<Item = &'static str> {
    let list: &[(&str, bool)] = match gender {
        Gender::Woman => WOMEN,
        Gender::Man => MEN,
        Gender::NonBinary => &[],
    };
    list.iter().map(|(name, _)| *name)
}

/// A synthetic person's gender and first name.
#[derive(Clone, Copy, Debug)]
pub(super) struct Person {
    pub gender: Gender,
    pub first_name: &'static str,
    /// The name is one often met in FLE groups.
    pub fle_name: bool,
}

/// Draw a gender, then a first name that goes with it.
pub(super) fn person(seq: &mut Seq) -> Person {
    let (gender, list) = if seq.next(2) == 0 {
        (Gender::Woman, WOMEN)
    } else {
        (Gender::Man, MEN)
    };
    let (first_name, fle_name) = list[seq.next(list.len() as u64) as usize];
    Person {
        gender,
        first_name,
        fle_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_first_name_is_given_to_both_genders() {
        for name in first_names(Gender::Woman) {
            assert!(
                !first_names(Gender::Man).any(|m| m == name),
                "{name} is in both lists"
            );
        }
    }

    #[test]
    fn a_drawn_first_name_goes_with_the_drawn_gender() {
        let mut seq = Seq(7);
        for _ in 0..200 {
            let p = person(&mut seq);
            assert!(
                first_names(p.gender).any(|n| n == p.first_name),
                "{} drawn for {:?}",
                p.first_name,
                p.gender
            );
        }
    }
}
