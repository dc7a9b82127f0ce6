"""
Departments compare accounts: one selection (`selection`), read once (`rows.load`), then the table with its
percentiles (`rows.compare`), roll-ups per place (`rollups`), series and hashtags (`series`), the best time to
post (`heatmap`) and what works (`content`); charts (`figures`, drawn by `portfolio.lib.charts`), exports
(`exports`), pages (`views`) and the API (`api`) show the same results.
"""
