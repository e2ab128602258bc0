"""The scrubber's word lists, English and Spanish, all in lower case (it compares casefolded).

Kept apart from the patterns so a coalition's reviewer can read and extend them in one place.
"""

from __future__ import annotations

# Titles and honorifics people are called by: a word after one is taken for a name.
TITLES = frozenset(
    {
        # English
        "officer", "ofc", "agent", "deputy", "sergeant", "sgt", "detective", "det",
        "lieutenant", "lt", "captain", "capt", "cpt", "inspector", "supervisor", "trooper",
        "marshal", "chief", "mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "sir",
        "madam", "madame", "mx", "family",
        # Spanish
        "sr", "sra", "srta", "señor", "señora", "señorita", "senor", "senora", "senorita",
        "don", "doña", "dona", "oficial", "agente", "alguacil", "sargento", "teniente",
        "capitán", "capitan", "comandante", "jefe", "jefa", "doctora", "licenciado",
        "licenciada", "lic", "profesor", "profesora", "maestro", "maestra", "familia",
    }
)  # fmt: skip

# Words that follow a title without being a name ("the officer said", "agente de ICE"), and
# that end a run of name words.
NOT_A_NAME = frozenset(
    {
        # English
        "a", "an", "the", "and", "or", "but", "at", "on", "in", "of", "to", "for", "from",
        "by", "with", "without", "near", "is", "are", "was", "were", "be", "been", "has",
        "have", "had", "said", "says", "asked", "asks", "told", "saw", "seen", "came",
        "went", "left", "arrived", "stopped", "stood", "walked", "who", "that", "this",
        "these", "those", "there", "here", "it", "he", "she", "they", "his", "her", "their",
        "not", "no", "did", "does", "do", "will", "would", "can", "could", "may", "might",
        "also", "then", "when", "where", "while", "outside", "inside", "around", "about",
        "walking", "standing", "knocking", "waiting", "talking", "car", "cars", "vehicle",
        "vehicles", "van", "vans", "suv", "suvs", "truck", "trucks", "agents", "officers",
        "on-foot", "foot", "again", "now", "today", "tonight", "reported", "spotted",
        "detained", "arrested", "approached", "entered", "knocked", "if", "as", "so",
        # Spanish
        "de", "del", "la", "el", "los", "las", "un", "una", "unos", "unas", "y", "o",
        "en", "con", "por", "para", "que", "se", "su", "sus", "al", "cerca", "frente",
        "junto", "sin", "es", "son", "está", "esta", "están", "estan", "fue", "fueron",
        "dijo", "llegó", "llego", "pidió", "pidio", "vio", "caminando", "tocando", "afuera",
        "adentro", "migratorio", "migratoria", "migración", "migracion", "inmigración",
        "inmigracion", "agentes", "oficiales", "ya", "hoy", "ahora", "otra", "vez", "lo",
        "le", "les", "ante", "hacia", "hasta", "desde", "entre", "sobre", "tras",
        "reportado", "visto", "vista", "detenido", "arrestado", "si", "como",
        # agencies (a title before one names no person: "agent ICE")
        "ice", "cbp", "hsi", "dhs", "ero", "fbi", "dea", "atf", "usms", "lapd", "lasd",
    }
)  # fmt: skip

# Counts of things, which a number may precede without being a house number.
QUANTITY_WORDS = frozenset(
    {
        "agent", "agents", "officer", "officers", "people", "person", "persons", "men",
        "women", "vehicle", "vehicles", "car", "cars", "van", "vans", "suv", "suvs", "truck",
        "trucks", "bus", "buses", "unit", "units", "minute", "minutes", "min", "mins",
        "hour", "hours", "hrs", "second", "seconds", "block", "blocks", "meter", "meters",
        "metre", "metres", "m", "km", "mile", "miles", "mi", "ft", "feet", "yards",
        "reports", "report", "sources", "times", "am", "pm", "a.m.", "p.m.", "de",
        "agente", "agentes", "oficial", "oficiales", "personas", "persona", "hombres",
        "mujeres", "vehículo", "vehiculo", "vehículos", "vehiculos", "carro", "carros",
        "coche", "coches", "camioneta", "camionetas", "unidad", "unidades", "minuto",
        "minutos", "hora", "horas", "cuadra", "cuadras", "metros", "metro", "millas",
        "reportes", "veces",
    }
)  # fmt: skip

STREET_SUFFIXES = frozenset(
    {
        "st", "street", "ave", "av", "avenue", "blvd", "boulevard", "rd", "road", "dr",
        "drive", "ln", "lane", "way", "pl", "place", "ct", "court", "ter", "terrace", "pkwy",
        "parkway", "hwy", "highway", "cir", "circle", "sq", "square", "trl", "trail", "aly",
        "alley",
    }
)  # fmt: skip

SPANISH_STREETS = frozenset(
    {
        # Not "av", "blvd": English texts put them before a count ("Blvd since 2024").
        "calle", "avenida", "avda", "bulevar", "camino", "paseo",
        "carretera", "callejón", "callejon", "privada", "cerrada", "calzada", "andador",
    }
)  # fmt: skip

# Words that announce a house or flat number: "#12", "no. 45", "apt 4", "frente al 1187".
HOUSE_MARKERS = frozenset(
    {
        "no", "num", "núm", "number", "número", "numero", "n°", "nº", "apt", "apartment",
        "unit", "suite", "ste", "depto", "dpto", "departamento", "apartamento", "interior",
        "int", "al", "house", "casa",
    }
)  # fmt: skip

HOME_WORDS = frozenset(
    {
        "house", "home", "apartment", "apt", "residence", "trailer", "casa", "hogar",
        "domicilio", "residencia", "vivienda", "apartamento", "departamento", "depa",
        "traila", "tráiler",
    }
)  # fmt: skip

DIGIT_WORDS = frozenset(
    {
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
    }
)  # fmt: skip

MAIL_HOSTS = frozenset(
    {
        "gmail", "yahoo", "hotmail", "outlook", "icloud", "aol", "protonmail", "proton",
        "live", "msn", "me", "mail", "gmx", "yandex", "zoho",
    }
)  # fmt: skip

TOP_LEVEL_DOMAINS = frozenset(
    {
        "com", "org", "net", "edu", "gov", "us", "mx", "es", "io", "co", "info", "biz",
        "me", "app", "dev", "ca", "uk", "gt", "sv", "hn", "ni", "cr", "pe", "ar", "cl",
    }
)  # fmt: skip

# Three-letter words that a plate shape ("abc 123") would otherwise catch in a sentence.
COMMON_THREE_LETTER = frozenset(
    {
        "and", "the", "for", "but", "are", "not", "you", "all", "can", "her", "was", "one",
        "our", "out", "day", "get", "has", "him", "his", "how", "man", "new", "now", "old",
        "see", "two", "way", "who", "did", "its", "let", "put", "say", "she", "too", "use",
        "per", "any", "few", "via", "near", "con", "los", "las", "del", "por", "que", "una",
        "uno", "sin", "muy", "mas", "hay", "son", "fue", "dos", "ser", "van", "suv", "car",
        "ice", "cbp", "hsi", "dhs", "ero", "fbi", "dea", "atf", "min", "hrs", "age", "ago",
    }
)  # fmt: skip
