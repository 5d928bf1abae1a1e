"""The document model: Markdown text into scoped segments (title, lede,
headings, prose, lists, code, badges, links) that rules are matched against."""
