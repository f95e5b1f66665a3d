"""The fixed names the doors offer and the use cases check (roles, cooperative types, training kinds, the shortest
password, the demo city's name): plain values, so the command line can build its --help without loading the use
cases."""

from __future__ import annotations

OFFICER_ROLES = ("ketua", "sekretaris", "bendahara", "pengawas", "manajer")
STAFF_ROLES = ("admin", "pembina", "viewer")
COOPERATIVE_TYPES = ("ksp", "usp", "konsumen", "produsen", "pemasaran", "jasa")
TRAINING_KINDS = ("bimtek", "pelatihan", "klinik")
MIN_PASSWORD_LENGTH = 10
DEMO_CITY = "Kota Mojokerto (demo)"
