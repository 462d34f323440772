/** The commented starter written by `reprodiff init` (validated against the schema in tests). */
export const STARTER_CONFIG = `# reprodiff.yml — what \`reprodiff check\` compares, and how.
# Paths are relative to this file. Any input format works (Parquet, CSV/TSV, JSON/NDJSON, Arrow,
# a folder or glob of files, db.duckdb#table) and a research snapshot (research.snapshot.json#raw).
version: 1

# Key column(s) shared by the stages; a list for a composite key. Leave out to compare row multisets.
key: id

# A stage is broken by findings of this severity or worse: warning (default) or error.
failOn: warning

# Columns left out everywhere, and renames (research name: production name).
ignore: []
rename: {}

# Numbers are equal when |research − production| <= abs + rel * |research|.
tolerance:
  abs: 0
  rel: 0
  columns: {}          # e.g. price: { abs: 0.01 }

# Text compared trimmed (values and keys) and/or case-insensitively (values only); rows whose key has a null
# part match the other side's null keys (match, the default) or are left out with a warning (drop).
# ignoreSpaces: true
# ignoreCase: true
# nullKeys: match
# Without a key: rows matched by their position in file order (row 1 with row 1), not as a multiset.
# byPosition: true

# Differing rows (keys) shown per finding, and stages that must be compared (missing = an error).
sample: 5
# requireStages: [data, features, splits, predictions, env]

research:
  data: research/raw.parquet
  features: research/features.parquet
  splits: research/splits.csv
  predictions: research/predictions.csv
  env: research/requirements.txt

production:
  data: production/raw.csv
  features: production/features.csv
  splits: production/splits.csv
  predictions: production/predictions.csv
  env: production/requirements.txt

stages:
  features:
    drift:
      tests: {}        # column: ks | wasserstein | psi | jensenshannon | chisquare | anderson | mannwhitney | … (README: Drift tests)
      thresholds: {}   # column: value
      # test: psi      # for every column without its own; threshold: likewise
      bins: 10
  splits:
    splitColumn: split
  predictions:
    scoreColumn: score
    # labelColumn: label
    # truthColumn: y
    threshold: 0.5
    # require: { auc: ">=0.85", recall: ">=0.7" }   # each environment must meet these (needs truthColumn); rmse/mae take "<=3.5"
  env:
    numericPackages: []   # more packages whose versions change numbers
`;
