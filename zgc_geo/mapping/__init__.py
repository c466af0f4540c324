"""Map building: folium maps of the plan, served with local web assets only."""
