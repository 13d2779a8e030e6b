"""dashboards: the summary tables and how they stay equal to the source (counting.py, summaries.py,
watch.py), the dashboards and their lists, exports, the monthly report, and the demo and scale data
(`seed_demo`, `seed_scale`).

The top app: it may import every other; nothing imports it but chibo/urls.py and the settings.
"""
