"""The report's figure keys (spec §3.1–§3.3, §9.2) and compliance facts (§9.4), as data.

The key names are the project's contract; the labels are the words on an officer's own balance sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from bot.domain.health.keys import INDICATIVE as INDICATIVE
from bot.domain.health.keys import PERDEP as PERDEP

FigureKind = Literal["balance", "flow", "override"]


@dataclass(frozen=True)
class FigureKey:
    """One money figure of the report."""

    key: str
    kind: FigureKind
    frameworks: frozenset[str]
    may_be_negative: bool
    label_id: str
    label_en: str

    def label(self, lang: str = "id") -> str:
        return self.label_id if lang == "id" else self.label_en


_P = frozenset({PERDEP})
_I = frozenset({INDICATIVE})
_PI = frozenset({PERDEP, INDICATIVE})

# (key, kind, frameworks, may be negative, Indonesian label, English gloss)
_TABLE: Final[tuple[tuple[str, FigureKind, frozenset[str], bool, str, str], ...]] = (
    # §3.1 balances
    ("cash", "balance", _P, False, "Kas", "Cash on hand"),
    ("bank", "balance", _P, False, "Bank (giro / tabungan operasional)", "Bank accounts usable for payments"),
    ("placements", "balance", _P, False, "Deposito di bank; simpanan di koperasi lain",
     "Time deposits at banks; savings and deposits held at other cooperatives"),
    ("securities", "balance", _P, False, "Surat berharga", "Securities"),
    ("loans_to_members", "balance", _P, False, "Pinjaman yang diberikan kepada anggota (saldo pokok)",
     "Outstanding principal of loans to members"),
    ("loans_to_non_members", "balance", _P, False, "Pinjaman kepada calon anggota, koperasi lain dan anggotanya",
     "Outstanding loans to non-members"),
    ("loans_substandard", "balance", _P, False, "Pinjaman kurang lancar", "Substandard loans"),
    ("loans_doubtful", "balance", _P, False, "Pinjaman diragukan", "Doubtful loans"),
    ("loans_loss", "balance", _P, False, "Pinjaman macet", "Loss loans"),
    ("loans_at_risk", "balance", _P, False, "Pinjaman diberikan yang berisiko (tanpa agunan/penjamin memadai)",
     "Loans without adequate collateral or guarantor"),
    ("risk_reserve", "balance", _P, False, "Cadangan risiko / penyisihan penghapusan pinjaman",
     "Loan-loss reserve (equity reserve or allowance)"),
    ("investments", "balance", _P, False, "Penyertaan pada koperasi, anggota dan pihak lain",
     "Equity investments"),
    ("accrued_income", "balance", _P, False, "Pendapatan yang masih harus diterima", "Accrued income"),
    ("fixed_assets", "balance", _P, False, "Aktiva tetap (nilai buku)", "Fixed assets, net book value"),
    ("total_assets", "balance", _PI, False, "Jumlah aset / total aktiva", "Total assets"),
    ("current_liabilities", "balance", _PI, False, "Kewajiban lancar",
     "Current liabilities (due within 12 months, including savings withdrawable on demand)"),
    ("voluntary_savings", "balance", _P, False, "Simpanan sukarela / tabungan anggota", "Voluntary savings"),
    ("time_deposits", "balance", _P, False, "Simpanan berjangka", "Time deposits from members"),
    ("borrowings", "balance", _P, False, "Pinjaman dari bank/pihak lain (dana yang diterima)", "Borrowed funds"),
    ("accrued_expenses", "balance", _P, False, "Beban yang masih harus dibayar", "Accrued expenses"),
    ("other_liabilities", "balance", _P, False, "Kewajiban lain-lain", "Other liabilities"),
    ("principal_savings", "balance", _P, False, "Simpanan pokok", "Members' entry shares"),
    ("mandatory_savings", "balance", _P, False, "Simpanan wajib", "Mandatory periodic savings"),
    ("special_mandatory_savings", "balance", _P, False,
     "Simpanan wajib khusus / SWPM / simpanan lain berkarakter wajib", "Other savings with a mandatory character"),
    ("grants", "balance", _P, False, "Hibah / donasi / modal sumbangan", "Grants and donations"),
    ("general_reserve", "balance", _P, False, "Cadangan umum", "General reserve from SHU"),
    ("participation_capital", "balance", _P, False, "Modal penyertaan", "Participation capital from investors"),
    ("equalization_capital", "balance", _P, False, "Modal penyetaraan", "Equalisation capital"),
    ("undistributed_surplus", "balance", _P, True, "SHU belum dibagi / SHU tahun berjalan",
     "Undistributed or current-year surplus (may be a loss)"),
    # §3.2 flows, year to date
    ("gross_participation", "flow", _P, False, "Partisipasi bruto", "Members' gross participation"),
    ("non_member_income", "flow", _P, False, "Pendapatan dari non-anggota", "Income from non-member transactions"),
    ("cost_of_services", "flow", _P, False, "Beban pokok", "Cost of services"),
    ("operating_expenses", "flow", _P, False, "Beban usaha", "Operating expenses"),
    ("cooperative_expenses", "flow", _P, False, "Beban perkoperasian",
     "Costs of the cooperative as an organisation"),
    ("staff_costs", "flow", _P, False, "Biaya karyawan / gaji dan tunjangan", "Staff costs"),
    ("gross_surplus", "flow", _P, True, "SHU kotor", "Gross surplus (may be negative)"),
    ("surplus_before_tax", "flow", _P, True, "SHU sebelum pajak", "Surplus before tax (may be negative)"),
    ("members_surplus_share", "flow", _P, True, "SHU bagian anggota",
     "Members' share of the surplus (estimated during the year)"),
    ("member_economic_benefit", "flow", _P, False, "MEPPP (manfaat ekonomi partisipasi pemanfaatan pelayanan)",
     "Economic benefit members get from using the services"),
    # §3.3 optional overrides (never asked in chat)
    ("own_capital", "override", _P, True, "Modal sendiri", "Own capital"),
    ("weighted_capital", "override", _P, True, "Modal tertimbang", "Weighted capital"),
    ("risk_weighted_assets", "override", _P, False, "ATMR (aktiva tertimbang menurut risiko)",
     "Risk-weighted assets"),
    ("funds_received", "override", _P, False, "Dana yang diterima", "Funds received"),
    # §9.2 indicative keys for non-KSP cooperatives
    ("sales", "flow", _I, False, "Penjualan / pendapatan usaha", "Sales (for jasa: service revenue)"),
    ("sales_to_members", "flow", _I, False, "Penjualan kepada anggota", "Sales to members"),
    ("cost_of_goods_sold", "flow", _I, False, "Harga pokok penjualan (HPP)", "Cost of goods sold"),
    ("purchases", "flow", _I, False, "Pembelian barang/hasil produksi", "Purchases (producer/marketing)"),
    ("purchases_from_members", "flow", _I, False, "Pembelian dari anggota", "Purchases of members' produce"),
    ("net_surplus", "flow", _I, True, "SHU bersih (setelah pajak)", "Net surplus (may be negative)"),
    ("total_revenue", "flow", _I, False, "Jumlah pendapatan", "Total revenue, all sources"),
    ("inventory", "balance", _I, False, "Persediaan barang", "Inventory"),
    ("receivables", "balance", _I, False, "Piutang usaha", "Trade receivables"),
    ("payables", "balance", _I, False, "Utang usaha", "Trade payables"),
    ("current_assets", "balance", _I, False, "Aset lancar", "Current assets"),
    ("equity", "balance", _I, True, "Ekuitas / modal sendiri", "Equity (may be negative)"),
)  # fmt: skip

FIGURE_KEYS: Final[Mapping[str, FigureKey]] = {
    key: FigureKey(key, kind, frameworks, negative, label_id, label_en)
    for key, kind, frameworks, negative, label_id, label_en in _TABLE
}
MAY_BE_NEGATIVE: Final = frozenset(key for key, figure in FIGURE_KEYS.items() if figure.may_be_negative)
OVERRIDE_KEYS: Final = tuple(key for key, figure in FIGURE_KEYS.items() if figure.kind == "override")


def keys_for(framework: str, *, include_overrides: bool = False) -> tuple[str, ...]:
    """The figure keys a framework reads, in spec order."""
    return tuple(
        key
        for key, figure in FIGURE_KEYS.items()
        if framework in figure.frameworks and (include_overrides or figure.kind != "override")
    )


def may_be_negative(key: str) -> bool:
    """Whether a figure may be below zero (§6.4); unknown keys may not."""
    figure = FIGURE_KEYS.get(key)
    return figure is not None and figure.may_be_negative


def loans_outstanding(figures: Mapping[str, Decimal]) -> Decimal:
    """Loans to members plus loans to non-members (§3.4); absent keys count as 0."""
    return figures.get("loans_to_members", Decimal(0)) + figures.get("loans_to_non_members", Decimal(0))


FactKind = Literal["yesno", "date", "integer"]


@dataclass(frozen=True)
class ComplianceFact:
    """A fact about the cooperative collected in chat and kept on its record (§9.4, §10.5)."""

    key: str
    kind: FactKind
    record_field: str
    applies_to: Literal["all", "kkmp", "savings_and_loan"]
    label_id: str
    label_en: str


COMPLIANCE_FACTS: Final[Mapping[str, ComplianceFact]] = {
    fact.key: fact
    for fact in (
        ComplianceFact("nib", "yesno", "has_nib", "all", "NIB (Nomor Induk Berusaha) lewat OSS",
                       "Business identification number (NIB, via OSS)"),
        ComplianceFact("npwp", "yesno", "has_npwp", "all", "NPWP koperasi", "Tax number (NPWP)"),
        ComplianceFact("ad_art_sop", "yesno", "ad_art_sop", "all", "AD/ART sesuai aturan terbaru dan SOP tertulis",
                       "Articles adjusted to current rules and written SOPs"),
        ComplianceFact("separate_books", "yesno", "separate_books", "all", "Pembukuan terpisah",
                       "Books kept apart from the board's own money, one ledger per unit"),
        ComplianceFact("kkmp_data", "yesno", "kkmp_data_entered", "kkmp", "Data KKMP di SIMKOPDES",
                       "Data entered in kopdesmerahputih.kop.id or SIMKOPDES"),
        ComplianceFact("audit", "yesno", "audited", "savings_and_loan", "Diaudit akuntan publik",
                       "Audited by a public accountant"),
        ComplianceFact("rat_book_year", "integer", "last_rat_book_year", "all", "Tahun buku RAT terakhir",
                       "Book year of the last RAT"),
        ComplianceFact("rat_date", "date", "last_rat_date", "all", "Tanggal RAT terakhir", "Date of the last RAT"),
        ComplianceFact("rat_reported_at", "date", "rat_reported_on", "all", "Tanggal hasil RAT dilaporkan",
                       "Date the RAT results were reported"),
        ComplianceFact("ods_updated_at", "date", "ods_updated_on", "all", "Tanggal data ODS diperbarui",
                       "Date the ODS data was updated"),
        ComplianceFact("nik_expires_on", "date", "nik_expires_on", "all", "Masa berlaku sertifikat NIK",
                       "Expiry date of the NIK certificate"),
    )
}  # fmt: skip
YES_NO_FACTS: Final = tuple(key for key, fact in COMPLIANCE_FACTS.items() if fact.kind == "yesno")
