"""Training and vetting: courses an organization defines, who completed them (and until when),
and how far coordinators trust each member. Dispatch and coverage ask it who qualifies."""
