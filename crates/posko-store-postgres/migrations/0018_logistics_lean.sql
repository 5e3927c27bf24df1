-- Faster hand-over imports (issue 7): a hand-over goes down the chain into the sender's own area,
-- so one sent from inside a region is also received inside it; the receiver's index finds every
-- hand-over of a region, and the sender's index only cost every import a fourth tree to write.
DROP INDEX handovers_by_from;
