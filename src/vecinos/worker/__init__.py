"""The durable background worker: periodic jobs that derive their due work from the database."""
