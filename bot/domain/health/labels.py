"""Officer-facing names of aspects, components, indicators and topics, in Indonesian and English."""

from __future__ import annotations

ASPECTS = {
    "capital": ("Permodalan", "Capital"),
    "asset_quality": ("Kualitas Aktiva Produktif", "Asset quality"),
    "management": ("Manajemen", "Management"),
    "efficiency": ("Efisiensi", "Efficiency"),
    "liquidity": ("Likuiditas", "Liquidity"),
    "growth": ("Kemandirian dan Pertumbuhan", "Independence and growth"),
    "identity": ("Jatidiri Koperasi", "Cooperative identity"),
}

COMPONENTS = {
    "capital.equity_to_assets": ("Modal sendiri thd total aset", "Own capital to total assets"),
    "capital.equity_to_risky_loans": ("Modal sendiri thd pinjaman berisiko", "Own capital to risky loans"),
    "capital.capital_adequacy": ("Kecukupan modal (CAR)", "Capital adequacy (CAR)"),
    "asset_quality.member_loan_share": ("Porsi pinjaman anggota", "Member share of loans"),
    "asset_quality.problem_loan_risk": ("Risiko pinjaman bermasalah", "Problem-loan risk"),
    "asset_quality.reserve_coverage": ("Cadangan risiko thd pinjaman bermasalah", "Reserve coverage of problem loans"),
    "asset_quality.risky_loan_share": ("Porsi pinjaman berisiko", "Risky share of loans"),
    "management.general": ("Manajemen umum", "General management"),
    "management.institutional": ("Kelembagaan", "Institutional management"),
    "management.capital": ("Manajemen permodalan", "Capital management"),
    "management.assets": ("Manajemen aktiva", "Asset management"),
    "management.liquidity": ("Manajemen likuiditas", "Liquidity management"),
    "efficiency.member_cost_ratio": ("Beban operasi thd partisipasi bruto", "Operating costs to gross participation"),
    "efficiency.opex_to_gross_surplus": ("Beban usaha thd SHU kotor", "Operating expenses to gross surplus"),
    "efficiency.service_efficiency": ("Efisiensi pelayanan", "Service efficiency"),
    "liquidity.cash_ratio": ("Rasio kas", "Cash ratio"),
    "liquidity.loans_to_funds": ("Pinjaman thd dana yang diterima", "Loans to funds received"),
    "growth.return_on_assets": ("Rentabilitas aset", "Return on assets"),
    "growth.return_on_equity": ("Rentabilitas modal sendiri", "Return on equity"),
    "growth.operational_self_sufficiency": ("Kemandirian operasional", "Operational self-sufficiency"),
    "identity.gross_participation_ratio": ("Rasio partisipasi bruto", "Gross participation ratio"),
    "identity.member_economic_promotion": ("Promosi ekonomi anggota", "Member economic promotion"),
}

INDICATORS = {
    "gross_margin": ("Margin kotor", "Gross margin"),
    "inventory_turnover": ("Perputaran persediaan", "Inventory turnover"),
    "receivable_days": ("Umur piutang", "Receivable days"),
    "payable_days": ("Umur utang usaha", "Payable days"),
    "current_ratio": ("Rasio lancar", "Current ratio"),
    "equity_ratio": ("Rasio ekuitas", "Equity ratio"),
    "net_margin": ("Margin bersih", "Net margin"),
    "member_business_share": ("Porsi usaha dengan anggota", "Member business share"),
}
UNITS = {"percent": ("%", "%"), "times_per_year": (" x/tahun", " x/year"), "days": (" hari", " days")}
BANDS = {"good": ("baik", "good"), "watch": ("perlu perhatian", "watch"), "weak": ("lemah", "weak")}

TOPICS = {
    "rat": ("RAT", "RAT"),
    "rat_report": ("Laporan RAT ke ODS", "RAT report to ODS"),
    "nik": ("NIK koperasi", "Cooperative NIK"),
    "audit": ("Audit akuntan publik", "Public accountant audit"),
    "books": ("Pembukuan", "Bookkeeping"),
    "registration": ("NIB dan NPWP", "NIB and NPWP"),
    "ad_art_sop": ("AD/ART dan SOP", "Bylaws and SOPs"),
    "kkmp_data": ("Data KKMP", "KKMP data"),
    "negative_equity": ("Modal sendiri negatif", "Negative own capital"),
    "missing_figures": ("Angka belum lengkap", "Missing figures"),
}


def label(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The label of a key in a language ('id' or 'en'); the key itself when unknown."""
    pair = table.get(key)
    return key if pair is None else pair[0] if lang == "id" else pair[1]
