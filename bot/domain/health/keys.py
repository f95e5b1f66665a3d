"""Contract keys of the health assessment (spec §2.0, §3, §7.2, §8, §9): names only, no numbers."""

from __future__ import annotations

PERDEP = "perdep-06-2016"
INDICATIVE = "indicative-non-ksp"

COOPERATIVE_TYPES = ("ksp", "usp", "konsumen", "produsen", "pemasaran", "jasa")
SAVINGS_AND_LOAN_TYPES = ("ksp", "usp")

BALANCE_KEYS = (
    "cash", "bank", "placements", "securities", "loans_to_members", "loans_to_non_members",
    "loans_substandard", "loans_doubtful", "loans_loss", "loans_at_risk", "risk_reserve", "investments",
    "accrued_income", "fixed_assets", "total_assets", "current_liabilities", "voluntary_savings",
    "time_deposits", "borrowings", "accrued_expenses", "other_liabilities", "principal_savings",
    "mandatory_savings", "special_mandatory_savings", "grants", "general_reserve", "participation_capital",
    "equalization_capital", "undistributed_surplus",
)  # fmt: skip
FLOW_KEYS = (
    "gross_participation", "non_member_income", "cost_of_services", "operating_expenses",
    "cooperative_expenses", "staff_costs", "gross_surplus", "surplus_before_tax", "members_surplus_share",
    "member_economic_benefit",
)  # fmt: skip
OVERRIDE_KEYS = ("own_capital", "weighted_capital", "risk_weighted_assets", "funds_received")
PERDEP_FIGURE_KEYS = BALANCE_KEYS + FLOW_KEYS + OVERRIDE_KEYS

INDICATIVE_FLOW_KEYS = (
    "sales", "sales_to_members", "cost_of_goods_sold", "purchases", "purchases_from_members",
    "net_surplus", "total_revenue",
)  # fmt: skip
INDICATIVE_BALANCE_KEYS = (
    "inventory", "receivables", "payables", "current_assets", "equity", "total_assets", "current_liabilities",
)  # fmt: skip
INDICATIVE_FIGURE_KEYS = INDICATIVE_FLOW_KEYS + INDICATIVE_BALANCE_KEYS

MAY_BE_NEGATIVE = frozenset(
    {
        "undistributed_surplus", "gross_surplus", "surplus_before_tax", "members_surplus_share",
        "own_capital", "weighted_capital", "equity", "net_surplus",
    }
)  # fmt: skip

DERIVED_KEYS = (
    "problem_loan_risk",
    "own_capital",
    "weighted_capital",
    "risk_weighted_assets",
    "funds_received",
)

ASPECTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("capital", ("equity_to_assets", "equity_to_risky_loans", "capital_adequacy")),
    ("asset_quality", ("member_loan_share", "problem_loan_risk", "reserve_coverage", "risky_loan_share")),
    ("management", ("general", "institutional", "capital", "assets", "liquidity")),
    ("efficiency", ("member_cost_ratio", "opex_to_gross_surplus", "service_efficiency")),
    ("liquidity", ("cash_ratio", "loans_to_funds")),
    ("growth", ("return_on_assets", "return_on_equity", "operational_self_sufficiency")),
    ("identity", ("gross_participation_ratio", "member_economic_promotion")),
)
MANAGEMENT_SUBS = ("general", "institutional", "capital", "assets", "liquidity")
RATIO_COMPONENTS = tuple(c for aspect, comps in ASPECTS if aspect != "management" for c in comps)

CATEGORIES = ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus")

DOWNGRADE_FLAGS = (
    "legal_violation", "late_or_wrong_books", "lending_outside_procedure", "missed_reports_3x",
    "unaudited_over_2_5bn", "usp_manager_without_authority",
)  # fmt: skip
SPECIAL_SUPERVISION_FLAGS = (
    "internal_dispute", "outside_interference", "engineered_books", "unrecorded_business", "no_rat_2_years",
)  # fmt: skip
FLAG_KEYS = DOWNGRADE_FLAGS + SPECIAL_SUPERVISION_FLAGS

INDICATORS = (
    "gross_margin", "inventory_turnover", "receivable_days", "payable_days", "current_ratio", "equity_ratio",
    "net_margin", "member_business_share",
)  # fmt: skip
INDICATOR_UNITS = ("percent", "times_per_year", "days")

COMPLIANCE_ITEMS = (
    "rat_held", "rat_reported", "nik_valid", "ods_updated", "nib", "npwp", "ad_art_sop", "separate_books",
    "kkmp_data", "audit",
)  # fmt: skip

INPUT_KEYS = ("framework", "cooperative_type", "months_elapsed", "figures", "management", "flags", "cooperative")
