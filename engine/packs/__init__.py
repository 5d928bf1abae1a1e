"""Rule packs: the rule model, reading YAML into it, the rule cache, pack
discovery (plugins), regex checks and prefilters, the tag list and lint."""
