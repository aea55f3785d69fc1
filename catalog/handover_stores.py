"""The hand-over's vector-store snippets: Milvus collection schema and index, pgvector column and HNSW index,
Qdrant collection config, each at the chosen dimensions and precision with HNSW M as sized.

Where a store has no exact equivalent of what the trial measured, the snippet uses the closest one and says
so in a comment (e.g. pgvector has no 8-bit type; Milvus' 1-bit index with refine is RaBitQ, not sign bits).
Credentials come from the environment.
"""

from __future__ import annotations

from catalog.handover import EF_CONSTRUCTION, RESCORE, Deployment, Snippet, comment_header

LITE = "# Milvus Lite (a local .db file) has no FLOAT16_VECTOR/BINARY_VECTOR fields: use a Milvus server.\n"
PGVECTOR_HNSW_MAX = {"vector": 2000, "halfvec": 4000, "bit": 64000}
"""pgvector's dimension limits for an HNSW index, by type."""


def milvus(dep: Deployment) -> Snippet:
    dims, metric = dep.out_dims, ("COSINE" if dep.cosine else "IP")
    field, index, params, note = (
        "FLOAT_VECTOR",
        "HNSW",
        f'{{"M": {dep.hnsw_m}, "efConstruction": {EF_CONSTRUCTION}}}',
        "",
    )
    search = '{"params": {"ef": 64}}'
    insert = "list(vectors.astype(np.float32))"
    if dep.precision == "fp16":
        field, insert = "FLOAT16_VECTOR", "list(vectors.astype(np.float16))"
        note = LITE
    elif dep.precision == "int8":
        index = "HNSW_SQ"
        params = f'{{"M": {dep.hnsw_m}, "efConstruction": {EF_CONSTRUCTION}, "sq_type": "SQ8"}}'
        note = "# HNSW_SQ (Milvus 2.6+) quantises to 8 bits server-side with its own ranges.\n"
    elif dep.precision == "binary":
        field, index, metric = "BINARY_VECTOR", "BIN_IVF_FLAT", "HAMMING"
        params, search = '{"nlist": 1024}', '{"params": {"nprobe": 64}}'
        insert = "[bytes(b) for b in np.packbits(vectors > 0, axis=1)]  # 1 bit per dimension"
        note = (
            "# Sign bits compared by Hamming distance, as measured; queries are packed the same way.\n" + LITE
        )
    elif dep.precision == "binary+rescore":
        index = "IVF_RABITQ"
        params = '{"nlist": 1024, "refine": True, "refine_type": "FP32"}'
        search = f'{{"params": {{"nprobe": 64, "refine_k": {RESCORE}}}}}'
        note = (
            "# IVF_RABITQ (Milvus 2.6+): 1 bit per dimension in memory, candidates re-scored with the full\n"
            "# vectors. RaBitQ is not the sign-bit code the trial measured, but the same size class.\n"
        )
    code = (
        comment_header(dep)
        + "# pip install pymilvus\nimport os\n\nimport numpy as np\n"
        + "from pymilvus import DataType, MilvusClient\n\n"
    )
    code += (
        "client = MilvusClient(uri=os.environ.get('MILVUS_URI', 'http://localhost:19530'),"
        " token=os.environ.get('MILVUS_TOKEN', ''))\n"
        "schema = MilvusClient.create_schema(auto_id=True)\n"
        "schema.add_field('id', DataType.INT64, is_primary=True)\n"
        "schema.add_field('text', DataType.VARCHAR, max_length=65535)\n"
        f"schema.add_field('embedding', DataType.{field}, dim={dims})\n\n"
        + note
        + "index_params = client.prepare_index_params()\n"
        "index_params.add_index(\n"
        f"    field_name='embedding', index_type='{index}', metric_type='{metric}', params={params}\n)\n"
        f"client.create_collection('{dep.collection}', schema=schema, index_params=index_params)\n"
        f"SEARCH_PARAMS = {search}\n\n"
        "\ndef as_field(vectors: np.ndarray) -> list:\n"
        '    """What the embedding field holds; queries are searched in the same form."""\n'
        f"    return {insert}\n"
        "\n\ndef rows(texts: list[str]) -> list[dict]:\n"
        f'    """client.insert({dep.collection!r}, rows(texts)); embed_passages is in the model snippet."""\n'
        "    return [{'text': t, 'embedding': v} for t, v in zip(texts, as_field(embed_passages(texts)))]\n"
        f"\n\n# hits = client.search({dep.collection!r}, data=as_field(embed_queries([q])), limit=10,\n"
        "#                      search_params=SEARCH_PARAMS, output_fields=['text'])\n"
    )
    return Snippet("milvus", "Milvus (pymilvus MilvusClient)", "python", code)


def _pg_type(dep: Deployment) -> tuple[str, str]:
    """(column type, note): halfvec for fp16 and int8 (pgvector has no 8-bit type), else vector."""
    dims = dep.out_dims or 0
    if dep.precision == "fp16":
        return f"halfvec({dims})", ""
    if dep.precision == "int8":
        return f"halfvec({dims})", (
            "-- pgvector has no 8-bit vector type: halfvec (2 bytes per dimension) is its smallest float\n"
            "-- storage, so the measured int8 setting does not carry over; consider binary + rescore.\n"
        )
    return f"vector({dims})", ""


def pgvector(dep: Deployment) -> Snippet:
    dims = dep.out_dims or 0
    column, note = _pg_type(dep)
    base = column.split("(")[0]
    ops, op = ("cosine_ops", "<=>") if dep.cosine else ("ip_ops", "<#>")
    code = comment_header(dep, "--") + "-- pgvector >= 0.7 (halfvec, bit, binary_quantize)\n" + note
    code += "CREATE EXTENSION IF NOT EXISTS vector;\n"
    code += (
        f"CREATE TABLE {dep.collection} (\n    id bigserial PRIMARY KEY,\n    text text NOT NULL,\n"
        f"    embedding {column} NOT NULL\n);\n"
    )
    if dep.precision.startswith("binary"):
        bits = f"binary_quantize(embedding)::bit({dims})"
        code += (
            "-- The HNSW index holds 1 bit per dimension; the full vectors stay in the table (on disk).\n"
            f"CREATE INDEX ON {dep.collection} USING hnsw (({bits}) bit_hamming_ops)\n"
            f"    WITH (m = {dep.hnsw_m}, ef_construction = {EF_CONSTRUCTION});\n"
        )
        if dep.precision == "binary":
            code += f"-- $1 = the query vector\nSELECT id, text FROM {dep.collection}\n"
            code += f"ORDER BY {bits} <~> binary_quantize($1) LIMIT 10;\n"
        else:
            code += (
                f"-- $1 = the query vector: the {RESCORE * 10} nearest by Hamming distance, re-ranked\n"
                "-- by the full vectors\n"
                f"SELECT id, text FROM (\n    SELECT id, text, embedding FROM {dep.collection}\n"
                f"    ORDER BY {bits} <~> binary_quantize($1) LIMIT {RESCORE * 10}\n"
                f") AS candidates\nORDER BY embedding {op} $1 LIMIT 10;\n"
            )
        return Snippet("pgvector", "pgvector (PostgreSQL)", "sql", code)
    if dims > PGVECTOR_HNSW_MAX[base]:
        expr, cast = f"(embedding::halfvec({dims}))", f"::halfvec({dims})"
        code += (
            f"-- HNSW on {base} allows up to {PGVECTOR_HNSW_MAX[base]} dimensions: index a halfvec cast.\n"
        )
        code += f"CREATE INDEX ON {dep.collection} USING hnsw ({expr} halfvec_{ops})\n"
    else:
        expr, cast = "embedding", ""
        code += f"CREATE INDEX ON {dep.collection} USING hnsw (embedding {base}_{ops})\n"
    code += f"    WITH (m = {dep.hnsw_m}, ef_construction = {EF_CONSTRUCTION});\n"
    code += f"-- $1 = the query vector\nSELECT id, text FROM {dep.collection}\n"
    code += f"ORDER BY {expr} {op} $1{cast} LIMIT 10;\n"
    return Snippet("pgvector", "pgvector (PostgreSQL)", "sql", code)


def qdrant(dep: Deployment) -> Snippet:
    distance = "COSINE" if dep.cosine else "DOT"
    datatype = ", datatype=models.Datatype.FLOAT16" if dep.precision == "fp16" else ""
    quant, search, note = "None", "models.SearchParams(hnsw_ef=128)", ""
    if dep.precision == "int8":
        quant = (
            "models.ScalarQuantization(\n        scalar=models.ScalarQuantizationConfig("
            "type=models.ScalarType.INT8, quantile=0.99, always_ram=True)\n    )"
        )
        note = (
            "# Qdrant calibrates one int8 range for all dimensions (quantile 0.99); the trial used one\n"
            "# range per dimension.\n"
        )
    elif dep.precision.startswith("binary"):
        quant = "models.BinaryQuantization(binary=models.BinaryQuantizationConfig(always_ram=True))"
        rescore = dep.precision == "binary+rescore"
        search = (
            "models.SearchParams(\n    hnsw_ef=128,\n    quantization=models.QuantizationSearchParams("
            + (f"rescore=True, oversampling={float(RESCORE)}" if rescore else "rescore=False")
            + "),\n)"
        )
    code = (
        comment_header(dep)
        + "# pip install qdrant-client\nimport os\n\nfrom qdrant_client import QdrantClient, models\n\n"
    )
    code += (
        "client = QdrantClient(url=os.environ.get('QDRANT_URL', 'http://localhost:6333'),"
        " api_key=os.environ.get('QDRANT_API_KEY'))\n" + note + "client.create_collection(\n"
        f"    collection_name='{dep.collection}',\n"
        "    vectors_config=models.VectorParams(\n"
        f"        size={dep.out_dims}, distance=models.Distance.{distance}{datatype}\n    ),\n"
        f"    hnsw_config=models.HnswConfigDiff(m={dep.hnsw_m}, ef_construct={EF_CONSTRUCTION}),\n"
        f"    quantization_config={quant},\n"
        ")\n"
        f"SEARCH_PARAMS = {search}\n"
        "# hits = client.query_points('"
        + dep.collection
        + "', query=embed_queries([q])[0].tolist(), limit=10,"
        " search_params=SEARCH_PARAMS)\n"
    )
    return Snippet("qdrant", "Qdrant (qdrant-client)", "python", code)
