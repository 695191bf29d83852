// The arithmetic of a review session, apart from the screen so Node can test it: what the
// grade keys mean, and the summary shown at the end.

/** The grade a key gives during a review (Anki's 1–4), or null. */
export function gradeOfKey(key) {
  return { 1: 'again', 2: 'hard', 3: 'good', 4: 'easy' }[key] ?? null;
}

/** "in 10 min", "in 3 days", "in 2.5 months": when a graded card comes back. */
export function interval(days) {
  const minutes = Math.round(days * 24 * 60);
  if (minutes < 60) return `in ${Math.max(1, minutes)} min`;
  if (days < 1) return `in ${Math.round(days * 24)} h`;
  if (days < 30) return `in ${Math.round(days)} day${Math.round(days) === 1 ? '' : 's'}`;
  if (days < 365) return `in ${(days / 30).toFixed(1)} months`;
  return `in ${(days / 365).toFixed(1)} years`;
}

/**
 * The end of a session: cards reviewed, time spent, and retention (the share of answers that
 * were not Again), from the grades given (undone ones already removed).
 * @param {{ grade: string, tookMs: number }[]} graded
 */
export function summary(graded) {
  const cards = graded.length;
  const ms = graded.reduce((sum, g) => sum + g.tookMs, 0);
  const remembered = graded.filter((g) => g.grade !== 'again').length;
  const seconds = Math.round(ms / 1000);
  const time = seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return {
    cards,
    time,
    retention: cards ? Math.round((100 * remembered) / cards) : null,
    again: cards - remembered,
    text: cards
      ? `${cards} card${cards === 1 ? '' : 's'} in ${time} · ${Math.round((100 * remembered) / cards)} % remembered${cards - remembered ? ` · ${cards - remembered} again` : ''}`
      : 'No cards reviewed.',
  };
}
