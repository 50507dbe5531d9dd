//! The budget statement of a mid-term or final report: its lines and resources, with totals.

use async_graphql::SimpleObject;
use parcours_domain::money::Money as Cents;
use parcours_domain::reports::Budget;

use crate::graphql::scalars::Money;

fn money(cents: i64) -> Money {
    Money(Cents::from_cents(cents).unwrap_or_default())
}

/// A budget line of a report's budget statement.
#[derive(SimpleObject)]
#[graphql(name = "ReportBudgetLine")]
pub struct BudgetLineGql {
    label: String,
    planned: Money,
    spent: Money,
}

/// A resource (co-financing) of a report's budget statement.
#[derive(SimpleObject)]
#[graphql(name = "ReportResource")]
pub struct ResourceGql {
    label: String,
    amount: Money,
}

/// A budget statement: planned and spent per line, resources.
#[derive(SimpleObject)]
pub struct BudgetStatement {
    lines: Vec<BudgetLineGql>,
    resources: Vec<ResourceGql>,
    total_planned: Money,
    total_spent: Money,
    total_resources: Money,
}

impl From<&Budget> for BudgetStatement {
    fn from(b: &Budget) -> Self {
        Self {
            lines: b
                .lines
                .iter()
                .map(|l| BudgetLineGql {
                    label: l.label.clone(),
                    planned: money(l.planned_cents),
                    spent: money(l.spent_cents),
                })
                .collect(),
            resources: b
                .resources
                .iter()
                .map(|r| ResourceGql {
                    label: r.label.clone(),
                    amount: money(r.amount_cents),
                })
                .collect(),
            total_planned: money(b.lines.iter().map(|l| l.planned_cents).sum()),
            total_spent: money(b.lines.iter().map(|l| l.spent_cents).sum()),
            total_resources: money(b.resources.iter().map(|r| r.amount_cents).sum()),
        }
    }
}
