"""Reports: anonymous intake of sightings and their clustering into incidents."""
