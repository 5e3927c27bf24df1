-- Faster hand-over imports (issue 7): a hand-over goes down the chain into the sender's own area,
-- so one sent from inside a region is also received inside it; the receiver's index finds every
-- hand-over of a region, and the sender's index only cost every import a fourth tree to write.
DROP INDEX handovers_by_from;

-- A TPS hands nothing on, so its account is the sum of the hand-overs it received: it is read from
-- them (through handovers_by_to) instead of being kept a second time, one row per TPS and ballot.
DELETE FROM logistics_holdings WHERE stage = 'kpps';
