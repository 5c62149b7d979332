/* EPANET .inp reader. The file is read whole, split into lines and handled section by
 * section in dependency order ([OPTIONS] first for the units, nodes before links, links
 * before what refers to them), so sections may come in any order. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aw_net.h"

enum section {
	S_NONE, S_TITLE, S_OPTIONS, S_TIMES, S_JUNCTIONS, S_RESERVOIRS, S_TANKS, S_PIPES,
	S_PUMPS, S_VALVES, S_TAGS, S_DEMANDS, S_STATUS, S_PATTERNS, S_CURVES, S_CONTROLS,
	S_EMITTERS, S_COORDINATES, S_VERTICES, S_IGNORED, S_UNKNOWN, S_END
};

static const struct {
	const char *name;
	enum section s;
} sections[] = {
	{ "TITLE", S_TITLE }, { "OPTIONS", S_OPTIONS }, { "TIMES", S_TIMES },
	{ "JUNCTIONS", S_JUNCTIONS }, { "RESERVOIRS", S_RESERVOIRS }, { "TANKS", S_TANKS },
	{ "PIPES", S_PIPES }, { "PUMPS", S_PUMPS }, { "VALVES", S_VALVES }, { "TAGS", S_TAGS },
	{ "DEMANDS", S_DEMANDS }, { "STATUS", S_STATUS }, { "PATTERNS", S_PATTERNS },
	{ "CURVES", S_CURVES }, { "CONTROLS", S_CONTROLS }, { "EMITTERS", S_EMITTERS },
	{ "COORDINATES", S_COORDINATES }, { "VERTICES", S_VERTICES },
	/* valid EPANET sections this reader has no use for */
	{ "RULES", S_IGNORED }, { "ENERGY", S_IGNORED }, { "QUALITY", S_IGNORED },
	{ "SOURCES", S_IGNORED }, { "REACTIONS", S_IGNORED }, { "MIXING", S_IGNORED },
	{ "REPORT", S_IGNORED }, { "LABELS", S_IGNORED }, { "BACKDROP", S_IGNORED },
	{ "LEAKAGE", S_IGNORED }, { "END", S_END },
};

/* processing order; a section's lines are handled in file order within its turn */
static const enum section order[] = {
	S_OPTIONS, S_TIMES, S_JUNCTIONS, S_RESERVOIRS, S_TANKS, S_PIPES, S_PUMPS,
	S_VALVES, S_DEMANDS, S_STATUS, S_EMITTERS, S_TAGS, S_PATTERNS, S_CURVES, S_CONTROLS,
	S_COORDINATES, S_VERTICES,
};

static const struct {
	const char *name;
	int us;
	double lps;		/* L/s per unit */
} flow_units[] = {
	{ "CFS", 1, 28.316846592 },
	{ "GPM", 1, 3.785411784 / 60 },
	{ "MGD", 1, 3785411.784 / 86400 },
	{ "IMGD", 1, 4546090.0 / 86400 },
	{ "AFD", 1, 1233481.83754752 / 86400 },
	{ "LPS", 0, 1 },
	{ "LPM", 0, 1.0 / 60 },
	{ "MLD", 0, 1e6 / 86400 },
	{ "CMH", 0, 1 / 3.6 },
	{ "CMD", 0, 1 / 86.4 },
	{ "CMS", 0, 1000 },
};

#define FT 0.3048
#define IN 0.0254
#define PSI_M (FT / 0.4333)	/* m of head per psi, EPANET's 0.4333 psi/ft */
#define HP_KW 0.745699872

struct line {
	char *s;
	long no;
	enum section sec;
	const char *comment_before;	/* [CURVES]: the comment line just above */
};

/* messages are collected and given in line order once the file is read */
struct msg {
	long no;
	size_t seq;
	int note;
	char *text;
};

struct ctx {
	struct aw_net *net;
	struct msg *msgs;
	size_t nmsgs;
	const char *file;
	long no;
	char **tok;
	int ntok, captok;
	char *comment;
	const char *what;	/* what a line of the current section describes */
	double len_f, dia_f;
	struct aw_map pattern_index, curve_index;
};

static void vmsg(struct ctx *c, int note, const char *fmt, va_list ap)
{
	char text[512];

	vsnprintf(text, sizeof text, fmt, ap);
	size_t seq = c->nmsgs++;
	if ((seq & c->nmsgs) == 0)	/* grow at powers of two */
		c->msgs = aw_reallocarray(c->msgs, 2 * c->nmsgs, sizeof *c->msgs);
	c->msgs[seq] = (struct msg){ c->no, seq, note, aw_strdup(text) };
	if (!note)
		c->net->nerrors++;
}

static void bad(struct ctx *c, const char *fmt, ...) AW_PRINTF(2, 3);
static void bad(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(c, 0, fmt, ap);
	va_end(ap);
}

static void note(struct ctx *c, const char *fmt, ...) AW_PRINTF(2, 3);
static void note(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(c, 1, fmt, ap);
	va_end(ap);
}

static int cmp_msg(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	if (x->no != y->no)
		return x->no < y->no ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_msgs(struct ctx *c)
{
	if (c->nmsgs)
		qsort(c->msgs, c->nmsgs, sizeof *c->msgs, cmp_msg);
	for (size_t i = 0; i < c->nmsgs; i++) {
		if (c->msgs[i].note)
			aw_note_at(c->file, c->msgs[i].no, "%s", c->msgs[i].text);
		else
			aw_error_at(c->file, c->msgs[i].no, "%s", c->msgs[i].text);
		free(c->msgs[i].text);
	}
	free(c->msgs);
}

static enum section section_of(const char *name, size_t n)
{
	for (size_t i = 0; i < AW_NELEM(sections); i++)
		if (strlen(sections[i].name) == n && strncasecmp(sections[i].name, name, n) == 0)
			return sections[i].s;
	return S_UNKNOWN;
}

static const char *what_of(enum section s)
{
	switch (s) {
	case S_OPTIONS: return "option";
	case S_TIMES: return "time";
	case S_JUNCTIONS: return "junction";
	case S_RESERVOIRS: return "reservoir";
	case S_TANKS: return "tank";
	case S_PIPES: return "pipe";
	case S_PUMPS: return "pump";
	case S_VALVES: return "valve";
	case S_TAGS: return "tag";
	case S_DEMANDS: return "demand";
	case S_STATUS: return "status";
	case S_PATTERNS: return "pattern";
	case S_CURVES: return "curve";
	case S_CONTROLS: return "control";
	case S_EMITTERS: return "emitter";
	case S_COORDINATES: return "coordinates";
	case S_VERTICES: return "vertex";
	default: return "line";
	}
}

/* Splits a line into tokens (whitespace separated, "double quoted" ids may hold blanks)
 * and its ';' comment, in place. */
static void tokenize(struct ctx *c, char *s)
{
	c->ntok = 0;
	c->comment = NULL;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v')
			s++;
		if (!*s)
			break;
		if (*s == ';') {
			char *t = aw_trim(s + 1);
			c->comment = *t ? t : NULL;
			break;
		}
		char *start = s;
		if (*s == '"') {
			start = ++s;
			while (*s && *s != '"')
				s++;
		} else {
			while (*s && !isspace((unsigned char)*s) && *s != ';')
				s++;
		}
		if (c->ntok == c->captok) {
			c->captok = c->captok ? c->captok * 2 : 16;
			c->tok = aw_reallocarray(c->tok, c->captok, sizeof *c->tok);
		}
		c->tok[c->ntok++] = start;
		if (!*s)
			break;
		if (*s == ';') {
			*s = 0;
			char *t = aw_trim(s + 1);
			c->comment = *t ? t : NULL;
			break;
		}
		*s++ = 0;
	}
}

static void bad_el(struct ctx *c, const char *fmt, ...) AW_PRINTF(2, 3);
/* a message about the element of the current line: "pipe P1: ..." */
static void bad_el(struct ctx *c, const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	bad(c, "%s %s: %s", c->what, c->tok[0], text);
}

static int num(struct ctx *c, int i, const char *field, double *out)
{
	double v;
	if (aw_parse_double(c->tok[i], &v) != 0 || !isfinite(v)) {
		bad_el(c, "%s '%s' is not a number", field, c->tok[i]);
		return -1;
	}
	*out = v;
	return 0;
}

static int need(struct ctx *c, int n)
{
	if (c->ntok >= n)
		return 0;
	bad(c, "%s needs at least %d fields, got %d", c->what, n, c->ntok);
	return -1;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? aw_strdup(s) : NULL;
}

/* ---- [OPTIONS] and [TIMES] ---- */

/* the words of a multi-word key up to the value, upper-cased into key[] */
static int key_words(struct ctx *c, char *key, size_t keysz, int nwords)
{
	key[0] = 0;
	for (int i = 0; i < nwords && i < c->ntok; i++) {
		if (i)
			strncat(key, " ", keysz - strlen(key) - 1);
		strncat(key, c->tok[i], keysz - strlen(key) - 1);
	}
	for (char *p = key; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return nwords;
}

static void do_options(struct ctx *c)
{
	struct aw_net *net = c->net;
	char key[64];

	if (c->ntok < 2) {
		bad(c, "option needs a value");
		return;
	}
	key_words(c, key, sizeof key, 1);
	if (strcmp(key, "UNITS") == 0) {
		for (size_t i = 0; i < AW_NELEM(flow_units); i++)
			if (aw_strcaseeq(c->tok[1], flow_units[i].name)) {
				snprintf(net->flow_units, sizeof net->flow_units, "%s",
				    flow_units[i].name);
				net->us_units = flow_units[i].us;
				net->flow_factor = flow_units[i].lps;
				return;
			}
		bad(c, "unknown flow units '%s'", c->tok[1]);
	} else if (strcmp(key, "HEADLOSS") == 0) {
		static const char *hl[] = { "H-W", "D-W", "C-M" };
		for (size_t i = 0; i < AW_NELEM(hl); i++)
			if (aw_strcaseeq(c->tok[1], hl[i])) {
				snprintf(net->headloss, sizeof net->headloss, "%s", hl[i]);
				return;
			}
		bad(c, "unknown headloss formula '%s'", c->tok[1]);
	} else if (c->ntok >= 3 && key_words(c, key, sizeof key, 2) &&
	    strcmp(key, "EMITTER EXPONENT") == 0) {
		double v;
		if (aw_parse_double(c->tok[2], &v) == 0 && isfinite(v) && v > 0)
			net->emitter_exponent = v;
		else
			bad(c, "bad emitter exponent '%s'", c->tok[2]);
	}
}

/* "H:MM[:SS]", or a decimal number of `unit` (SEC, MIN, HOURS, DAYS; hours when absent);
 * AM/PM for clock times. Returns seconds or -1. */
static long parse_duration(const char *s, const char *unit)
{
	double v;
	long secs;

	if (strchr(s, ':')) {
		long h = 0, m = 0, sec = 0;
		char tail;
		int n = sscanf(s, "%ld:%ld:%ld%c", &h, &m, &sec, &tail);
		if (n < 2 || n > 3 || h < 0 || m < 0 || m > 59 || sec < 0 || sec > 59)
			return -1;
		secs = h * 3600 + m * 60 + sec;
	} else {
		if (aw_parse_double(s, &v) != 0 || !isfinite(v) || v < 0 || v > 1e9)
			return -1;
		double mult = 3600;
		if (unit) {
			size_t n = strlen(unit);
			if (n && strncasecmp(unit, "SECONDS", n) == 0)
				mult = 1;
			else if (n && strncasecmp(unit, "MINUTES", n) == 0)
				mult = 60;
			else if (n && strncasecmp(unit, "HOURS", n) == 0)
				mult = 3600;
			else if (n && strncasecmp(unit, "DAYS", n) == 0)
				mult = 86400;
			else if (!aw_strcaseeq(unit, "AM") && !aw_strcaseeq(unit, "PM"))
				return -1;
		}
		secs = lround(v * mult);
	}
	if (unit && (aw_strcaseeq(unit, "AM") || aw_strcaseeq(unit, "PM"))) {
		if (secs >= 13 * 3600)
			return -1;
		if (secs >= 12 * 3600)
			secs -= 12 * 3600;
		if (aw_strcaseeq(unit, "PM"))
			secs += 12 * 3600;
	}
	return secs;
}

static void do_times(struct ctx *c)
{
	static const struct {
		const char *key, *name;
		size_t off;
	} keys[] = {
		{ "DURATION", "duration", offsetof(struct aw_net, duration) },
		{ "HYDRAULIC TIMESTEP", "hydraulic timestep",
		    offsetof(struct aw_net, hydraulic_step) },
		{ "PATTERN TIMESTEP", "pattern timestep", offsetof(struct aw_net, pattern_step) },
		{ "PATTERN START", "pattern start", offsetof(struct aw_net, pattern_start) },
		{ "REPORT TIMESTEP", "report timestep", offsetof(struct aw_net, report_step) },
		{ "REPORT START", "report start", offsetof(struct aw_net, report_start) },
		{ "START CLOCKTIME", "start clocktime", offsetof(struct aw_net, start_clock) },
	};
	char key[64];

	for (int nw = 1; nw <= 2; nw++) {
		if (c->ntok <= nw)
			break;
		key_words(c, key, sizeof key, nw);
		for (size_t i = 0; i < AW_NELEM(keys); i++) {
			if (strcmp(key, keys[i].key) != 0)
				continue;
			const char *unit = c->ntok > nw + 1 ? c->tok[nw + 1] : NULL;
			long v = parse_duration(c->tok[nw], unit);
			if (v < 0)
				bad(c, "bad %s '%s%s%s'", keys[i].name, c->tok[nw],
				    unit ? " " : "", unit ? unit : "");
			else
				*(long *)((char *)c->net + keys[i].off) = v;
			return;
		}
	}
	/* other keys (quality/rule timestep, statistic) are not used */
}

/* ---- nodes ---- */

static struct aw_node *add_node(struct ctx *c, enum aw_node_type type)
{
	struct aw_net *net = c->net;
	const char *id = c->tok[0];

	if (aw_net_node(net, id, NULL)) {
		bad(c, "duplicate node id %s", id);
		return NULL;
	}
	if ((net->nnodes & (net->nnodes - 1)) == 0)
		net->nodes = aw_reallocarray(net->nodes, net->nnodes ? net->nnodes * 2 : 1,
		    sizeof *net->nodes);
	struct aw_node *n = &net->nodes[net->nnodes];
	memset(n, 0, sizeof *n);
	n->type = type;
	n->x = n->y = NAN;
	n->dma = -1;
	n->line = c->no;
	return n;
}

static void commit_node(struct ctx *c, struct aw_node *n)
{
	struct aw_net *net = c->net;
	n->id = aw_strdup(c->tok[0]);
	n->comment = dup_or_null(c->comment);
	aw_map_put(&net->node_index, n->id, net->nnodes);
	net->nnodes++;
	switch (n->type) {
	case AW_JUNCTION: net->njunctions++; break;
	case AW_RESERVOIR: net->nreservoirs++; break;
	case AW_TANK: net->ntanks++; break;
	}
}

static void do_junction(struct ctx *c)
{
	struct aw_node *n;
	double elev, demand = 0;

	if (need(c, 2) || num(c, 1, "elevation", &elev))
		return;
	if (c->ntok > 2 && num(c, 2, "demand", &demand))
		return;
	if (!(n = add_node(c, AW_JUNCTION)))
		return;
	n->elev = elev * c->len_f;
	n->demand = demand * c->net->flow_factor;
	if (c->ntok > 3)
		n->pattern = aw_strdup(c->tok[3]);
	commit_node(c, n);
}

static void do_reservoir(struct ctx *c)
{
	struct aw_node *n;
	double head;

	if (need(c, 2) || num(c, 1, "head", &head))
		return;
	if (!(n = add_node(c, AW_RESERVOIR)))
		return;
	n->elev = head * c->len_f;
	if (c->ntok > 2)
		n->pattern = aw_strdup(c->tok[2]);
	commit_node(c, n);
}

static void do_tank(struct ctx *c)
{
	struct aw_node *n;
	double v[5];
	static const char *what[] = { "elevation", "initial level", "minimum level",
		"maximum level", "diameter" };

	if (need(c, 6))
		return;
	for (int i = 0; i < 5; i++)
		if (num(c, i + 1, what[i], &v[i]))
			return;
	if (!(n = add_node(c, AW_TANK)))
		return;
	n->elev = v[0] * c->len_f;
	n->init_level = v[1] * c->len_f;
	n->min_level = v[2] * c->len_f;
	n->max_level = v[3] * c->len_f;
	n->diameter = v[4] * c->len_f;
	commit_node(c, n);
}

/* ---- links ---- */

static struct aw_link *add_link(struct ctx *c, enum aw_link_type type)
{
	struct aw_net *net = c->net;
	const char *id = c->tok[0];
	size_t n1, n2;

	if (aw_net_link(net, id, NULL)) {
		bad(c, "duplicate link id %s", id);
		return NULL;
	}
	if (!aw_net_node(net, c->tok[1], &n1)) {
		bad_el(c, "unknown node %s", c->tok[1]);
		return NULL;
	}
	if (!aw_net_node(net, c->tok[2], &n2)) {
		bad_el(c, "unknown node %s", c->tok[2]);
		return NULL;
	}
	if (n1 == n2) {
		bad_el(c, "connects node %s to itself", c->tok[1]);
		return NULL;
	}
	if ((net->nlinks & (net->nlinks - 1)) == 0)
		net->links = aw_reallocarray(net->links, net->nlinks ? net->nlinks * 2 : 1,
		    sizeof *net->links);
	struct aw_link *l = &net->links[net->nlinks];
	memset(l, 0, sizeof *l);
	l->type = type;
	l->n1 = n1;
	l->n2 = n2;
	l->dma = -1;
	l->line = c->no;
	return l;
}

static void commit_link(struct ctx *c, struct aw_link *l)
{
	struct aw_net *net = c->net;
	l->id = aw_strdup(c->tok[0]);
	l->comment = dup_or_null(c->comment);
	l->material = aw_strdup("unknown");
	l->asset_diameter = l->diameter;
	aw_map_put(&net->link_index, l->id, net->nlinks);
	net->nlinks++;
	switch (l->type) {
	case AW_PIPE: net->npipes++; break;
	case AW_PUMP: net->npumps++; break;
	case AW_VALVE: net->nvalves++; break;
	}
}

/* 1 closed, 0 open, 2 check valve, -1 not a status word */
static int status_word(const char *s)
{
	if (aw_strcaseeq(s, "OPEN"))
		return 0;
	if (aw_strcaseeq(s, "CLOSED"))
		return 1;
	if (aw_strcaseeq(s, "CV"))
		return 2;
	return -1;
}

static double roughness_si(struct ctx *c, double r)
{
	/* D-W roughness is in millifeet (US) or mm (SI); H-W and C-M are unitless */
	if (strcmp(c->net->headloss, "D-W") == 0 && c->net->us_units)
		return r * FT;
	return r;
}

static void do_pipe(struct ctx *c)
{
	struct aw_link *l;
	double len, dia, rough, minor = 0;
	int status = 0;

	if (need(c, 6) || num(c, 3, "length", &len) ||
	    num(c, 4, "diameter", &dia) || num(c, 5, "roughness", &rough))
		return;
	if (c->ntok == 7 && status_word(c->tok[6]) >= 0) {
		status = status_word(c->tok[6]);
	} else {
		if (c->ntok > 6 && num(c, 6, "minor loss", &minor))
			return;
		if (c->ntok > 7 && (status = status_word(c->tok[7])) < 0) {
			bad_el(c, "unknown status '%s'", c->tok[7]);
			return;
		}
	}
	if (len <= 0 || dia <= 0 || rough <= 0) {
		bad_el(c, "length, diameter and roughness must be positive");
		return;
	}
	if (!(l = add_link(c, AW_PIPE)))
		return;
	l->length = len * c->len_f;
	l->diameter = dia * c->dia_f;
	l->roughness = roughness_si(c, rough);
	l->minor_loss = minor;
	l->closed = status == 1;
	l->check = status == 2;
	commit_link(c, l);
}

static void do_pump(struct ctx *c)
{
	struct aw_link *l;
	const char *curve = NULL;
	double power = 0, v;

	if (need(c, 4))
		return;
	if (aw_parse_double(c->tok[3], &v) == 0) {
		/* EPANET 1.x form: the curve's points inline */
		for (int i = 3; i < c->ntok; i++)
			if (num(c, i, "curve point", &v))
				return;
	} else {
		for (int i = 3; i < c->ntok; i += 2) {
			const char *k = c->tok[i];
			if (i + 1 >= c->ntok) {
				bad_el(c, "%s needs a value", k);
				return;
			}
			if (aw_strcaseeq(k, "HEAD")) {
				curve = c->tok[i + 1];
			} else if (aw_strcaseeq(k, "POWER")) {
				if (num(c, i + 1, "power", &power))
					return;
			} else if (aw_strcaseeq(k, "SPEED")) {
				if (num(c, i + 1, "speed", &v))
					return;
			} else if (!aw_strcaseeq(k, "PATTERN")) {
				bad_el(c, "unknown keyword '%s'", k);
				return;
			}
		}
	}
	if (!(l = add_link(c, AW_PUMP)))
		return;
	l->curve = dup_or_null(curve);
	l->power = c->net->us_units ? power * HP_KW : power;
	commit_link(c, l);
}

static void do_valve(struct ctx *c)
{
	static const char *types[] = { "PRV", "PSV", "PBV", "FCV", "TCV", "GPV" };
	struct aw_link *l;
	double dia, setting = 0, minor = 0;
	int t = -1;

	if (need(c, 6) || num(c, 3, "diameter", &dia))
		return;
	for (size_t i = 0; i < AW_NELEM(types); i++)
		if (aw_strcaseeq(c->tok[4], types[i]))
			t = (int)i;
	if (t < 0) {
		bad_el(c, "unknown valve type '%s'", c->tok[4]);
		return;
	}
	if (t != 5 && num(c, 5, "setting", &setting))
		return;
	if (c->ntok > 6 && num(c, 6, "minor loss", &minor))
		return;
	if (dia <= 0) {
		bad_el(c, "diameter must be positive");
		return;
	}
	if (!(l = add_link(c, AW_VALVE)))
		return;
	memcpy(l->valve, types[t], 4);
	l->diameter = dia * c->dia_f;
	l->minor_loss = minor;
	if (t <= 2)
		l->setting = c->net->us_units ? setting * PSI_M : setting;
	else if (t == 3)
		l->setting = setting * c->net->flow_factor;
	else
		l->setting = setting;
	if (t == 5)
		l->curve = aw_strdup(c->tok[5]);
	commit_link(c, l);
}

/* ---- sections that refer to nodes and links ---- */

static int find_node(struct ctx *c, const char *id, size_t *idx)
{
	if (aw_net_node(c->net, id, idx))
		return 1;
	bad(c, "%s: unknown node %s", c->what, id);
	return 0;
}

static int find_link(struct ctx *c, const char *id, size_t *idx)
{
	if (aw_net_link(c->net, id, idx))
		return 1;
	bad(c, "%s: unknown link %s", c->what, id);
	return 0;
}

static void do_demand(struct ctx *c)
{
	struct aw_net *net = c->net;
	size_t n;
	double base;

	if (need(c, 2) || num(c, 1, "demand", &base))
		return;
	if (!find_node(c, c->tok[0], &n))
		return;
	if (net->nodes[n].type != AW_JUNCTION) {
		bad_el(c, "not a junction");
		return;
	}
	if ((net->ndemands & (net->ndemands - 1)) == 0)
		net->demands = aw_reallocarray(net->demands,
		    net->ndemands ? net->ndemands * 2 : 1, sizeof *net->demands);
	struct aw_demand *d = &net->demands[net->ndemands++];
	d->node = n;
	d->base = base * net->flow_factor;
	d->pattern = c->ntok > 2 ? aw_strdup(c->tok[2]) : NULL;
	d->category = dup_or_null(c->comment);
}

static void do_status(struct ctx *c)
{
	size_t l;
	double v;

	if (need(c, 2) || !find_link(c, c->tok[0], &l))
		return;
	struct aw_link *k = &c->net->links[l];
	int s = status_word(c->tok[1]);
	if (s == 0 || s == 1)
		k->closed = s;
	else if (aw_strcaseeq(c->tok[1], "ACTIVE"))
		k->closed = 0;
	else if (aw_parse_double(c->tok[1], &v) == 0 && isfinite(v))
		k->closed = 0;	/* a setting: pump speed or valve setting, open */
	else
		bad_el(c, "unknown status '%s'", c->tok[1]);
}

static void do_emitter(struct ctx *c)
{
	struct aw_net *net = c->net;
	size_t n;
	double v;

	if (need(c, 2) || num(c, 1, "coefficient", &v) ||
	    !find_node(c, c->tok[0], &n))
		return;
	/* flow units per (psi or m)^exponent -> L/s per m^exponent */
	double p = net->us_units ? pow(PSI_M, net->emitter_exponent) : 1;
	net->nodes[n].emitter = v * net->flow_factor / p;
}

static void do_tag(struct ctx *c)
{
	size_t i;

	if (need(c, 3))
		return;
	if (aw_strcaseeq(c->tok[0], "NODE")) {
		if (find_node(c, c->tok[1], &i)) {
			free(c->net->nodes[i].tag);
			c->net->nodes[i].tag = aw_strdup(c->tok[2]);
		}
	} else if (aw_strcaseeq(c->tok[0], "LINK")) {
		if (find_link(c, c->tok[1], &i)) {
			free(c->net->links[i].tag);
			c->net->links[i].tag = aw_strdup(c->tok[2]);
		}
	} else {
		bad(c, "tag: expected NODE or LINK, got '%s'", c->tok[0]);
	}
}

static void do_pattern(struct ctx *c)
{
	struct aw_net *net = c->net;
	struct aw_pattern *p;
	size_t i;
	double v;

	if (need(c, 2))
		return;
	for (int k = 1; k < c->ntok; k++)
		if (num(c, k, "multiplier", &v))
			return;
	if (aw_map_get(&c->pattern_index, c->tok[0], &i)) {
		p = &net->patterns[i];
	} else {
		net->patterns = aw_reallocarray(net->patterns, net->npatterns + 1,
		    sizeof *net->patterns);
		p = &net->patterns[net->npatterns];
		memset(p, 0, sizeof *p);
		p->id = aw_strdup(c->tok[0]);
		aw_map_put(&c->pattern_index, p->id, net->npatterns++);
	}
	p->mult = aw_reallocarray(p->mult, p->n + (size_t)c->ntok - 1, sizeof *p->mult);
	for (int k = 1; k < c->ntok; k++)
		aw_parse_double(c->tok[k], &p->mult[p->n++]);
}

static void do_curve(struct ctx *c, const char *comment_before)
{
	struct aw_net *net = c->net;
	struct aw_curve *cv;
	size_t i;
	double x, y;

	if (need(c, 3) || num(c, 1, "x", &x) ||
	    num(c, 2, "y", &y))
		return;
	if (aw_map_get(&c->curve_index, c->tok[0], &i)) {
		cv = &net->curves[i];
	} else {
		net->curves = aw_reallocarray(net->curves, net->ncurves + 1, sizeof *net->curves);
		cv = &net->curves[net->ncurves];
		memset(cv, 0, sizeof *cv);
		cv->id = aw_strdup(c->tok[0]);
		cv->comment = dup_or_null(comment_before);
		aw_map_put(&c->curve_index, cv->id, net->ncurves++);
	}
	cv->x = aw_reallocarray(cv->x, cv->n + 1, sizeof *cv->x);
	cv->y = aw_reallocarray(cv->y, cv->n + 1, sizeof *cv->y);
	cv->x[cv->n] = x;
	cv->y[cv->n++] = y;
}

static void do_control(struct ctx *c)
{
	struct aw_net *net = c->net;
	struct aw_buf b = { 0 };

	for (int i = 0; i < c->ntok; i++) {
		if (i)
			aw_buf_putc(&b, ' ');
		aw_buf_puts(&b, c->tok[i]);
	}
	net->controls = aw_reallocarray(net->controls, net->ncontrols + 1, sizeof *net->controls);
	net->controls[net->ncontrols++] = b.s;
}

static void do_coordinate(struct ctx *c)
{
	size_t n;
	double x, y;

	if (need(c, 3) || num(c, 1, "x", &x) ||
	    num(c, 2, "y", &y) || !find_node(c, c->tok[0], &n))
		return;
	c->net->nodes[n].x = x;
	c->net->nodes[n].y = y;
}

static void do_vertex(struct ctx *c)
{
	size_t i;
	double x, y;

	if (need(c, 3) || num(c, 1, "x", &x) ||
	    num(c, 2, "y", &y) || !find_link(c, c->tok[0], &i))
		return;
	struct aw_link *l = &c->net->links[i];
	l->vx = aw_reallocarray(l->vx, l->nvert + 1, sizeof *l->vx);
	l->vy = aw_reallocarray(l->vy, l->nvert + 1, sizeof *l->vy);
	l->vx[l->nvert] = x;
	l->vy[l->nvert++] = y;
}

/* ---- whole file ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct aw_buf b = { 0 };
	char chunk[65536];
	size_t n;

	if (!f) {
		aw_error_at(path, 0, "%s", strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		aw_buf_put(&b, chunk, n);
	if (ferror(f)) {
		aw_error_at(path, 0, "%s", strerror(errno));
		fclose(f);
		aw_buf_free(&b);
		return NULL;
	}
	fclose(f);
	aw_buf_grow(&b, 0);
	b.s[b.len] = 0;
	*len = b.len;
	return b.s;
}

static void build_graph(struct aw_net *net)
{
	size_t n = net->nnodes, m = net->nlinks;
	size_t *fill = aw_calloc(n + 1, sizeof *fill);

	net->adj_start = aw_calloc(n + 1, sizeof *net->adj_start);
	net->adj_link = aw_calloc(2 * m, sizeof *net->adj_link);
	net->adj_node = aw_calloc(2 * m, sizeof *net->adj_node);
	for (size_t l = 0; l < m; l++) {
		net->adj_start[net->links[l].n1 + 1]++;
		net->adj_start[net->links[l].n2 + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		net->adj_start[i + 1] += net->adj_start[i];
	for (size_t l = 0; l < m; l++) {
		size_t a = net->links[l].n1, b = net->links[l].n2;
		size_t ia = net->adj_start[a] + fill[a]++, ib = net->adj_start[b] + fill[b]++;
		net->adj_link[ia] = l;
		net->adj_node[ia] = b;
		net->adj_link[ib] = l;
		net->adj_node[ib] = a;
	}
	free(fill);
}

static void total_demands(struct aw_net *net)
{
	unsigned char *seen = aw_calloc(net->nnodes, 1);
	for (size_t i = 0; i < net->ndemands; i++) {
		struct aw_node *n = &net->nodes[net->demands[i].node];
		if (!seen[net->demands[i].node]) {
			seen[net->demands[i].node] = 1;
			n->demand = 0;	/* [DEMANDS] replaces the [JUNCTIONS] demand */
		}
		n->demand += net->demands[i].base;
	}
	free(seen);
}

struct aw_net *aw_net_load(const char *path)
{
	size_t len;
	char *text = slurp(path, &len);

	if (!text)
		return NULL;
	while (len && text[len - 1] == 0)
		len--;

	struct aw_net *net = aw_calloc(1, sizeof *net);
	net->file = aw_strdup(path);
	snprintf(net->flow_units, sizeof net->flow_units, "GPM");
	net->us_units = 1;
	net->flow_factor = flow_units[1].lps;
	snprintf(net->headloss, sizeof net->headloss, "H-W");
	net->emitter_exponent = 0.5;
	net->duration = 0;
	net->hydraulic_step = net->pattern_step = net->report_step = 3600;
	net->dma_stub_max = 5;
	net->row_src = (size_t)-1;

	struct ctx c = { .net = net, .file = path };
	struct line *lines = NULL;
	size_t nlines = 0, cap = 0;
	enum section sec = S_NONE;
	const char *last_comment = NULL;
	char *p = text, *end = text + len;
	long no = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;	/* a UTF-8 byte-order mark (Notepad) */

	while (p < end && sec != S_END) {
		char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		*e = 0;
		no++;
		char *s = p;
		p = e + 1;
		c.no = no;
		if (strlen(s) != (size_t)(e - s)) {
			bad(&c, "line holds a NUL byte");
			continue;
		}
		s = aw_trim(s);
		if (!*s)
			continue;
		if (*s == ';') {
			last_comment = aw_trim(s + 1);
			continue;
		}
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close) {
				bad(&c, "section header without ']'");
				sec = S_UNKNOWN;
				continue;
			}
			sec = section_of(s + 1, (size_t)(close - s - 1));
			if (sec == S_UNKNOWN)
				note(&c, "skipping unknown section %.*s", (int)(close - s + 1), s);
			last_comment = NULL;
			continue;
		}
		if (sec == S_NONE) {
			bad(&c, "text outside any section");
			continue;
		}
		if (sec == S_IGNORED || sec == S_UNKNOWN)
			continue;
		if (sec == S_TITLE) {
			if (!net->title)
				net->title = aw_strdup(s);
			continue;
		}
		if (nlines == cap) {
			cap = cap ? cap * 2 : 1024;
			lines = aw_reallocarray(lines, cap, sizeof *lines);
		}
		lines[nlines++] = (struct line){ s, no, sec, last_comment };
		last_comment = NULL;
	}

	for (size_t k = 0; k < AW_NELEM(order); k++) {
		if (order[k] == S_JUNCTIONS) {
			c.len_f = net->us_units ? FT : 1;
			c.dia_f = net->us_units ? IN : 0.001;
		}
		for (size_t i = 0; i < nlines; i++) {
			if (lines[i].sec != order[k])
				continue;
			c.no = lines[i].no;
			tokenize(&c, lines[i].s);
			if (!c.ntok)
				continue;
			c.what = what_of(order[k]);
			switch (order[k]) {
			case S_OPTIONS: do_options(&c); break;
			case S_TIMES: do_times(&c); break;
			case S_JUNCTIONS: do_junction(&c); break;
			case S_RESERVOIRS: do_reservoir(&c); break;
			case S_TANKS: do_tank(&c); break;
			case S_PIPES: do_pipe(&c); break;
			case S_PUMPS: do_pump(&c); break;
			case S_VALVES: do_valve(&c); break;
			case S_DEMANDS: do_demand(&c); break;
			case S_STATUS: do_status(&c); break;
			case S_EMITTERS: do_emitter(&c); break;
			case S_TAGS: do_tag(&c); break;
			case S_PATTERNS: do_pattern(&c); break;
			case S_CURVES: do_curve(&c, lines[i].comment_before); break;
			case S_CONTROLS: do_control(&c); break;
			case S_COORDINATES: do_coordinate(&c); break;
			case S_VERTICES: do_vertex(&c); break;
			default: break;
			}
		}
	}
	flush_msgs(&c);
	free(lines);
	free(c.tok);
	aw_map_free(&c.pattern_index);
	aw_map_free(&c.curve_index);
	free(text);

	total_demands(net);
	for (size_t l = 0; l < net->nlinks; l++)
		net->links[l].asset_diameter = net->links[l].diameter;
	build_graph(net);
	return net;
}

void aw_net_free(struct aw_net *net)
{
	if (!net)
		return;
	for (size_t i = 0; i < net->nnodes; i++) {
		struct aw_node *n = &net->nodes[i];
		free(n->id);
		free(n->pattern);
		free(n->comment);
		free(n->tag);
	}
	for (size_t i = 0; i < net->nlinks; i++) {
		struct aw_link *l = &net->links[i];
		free(l->id);
		free(l->curve);
		free(l->comment);
		free(l->tag);
		free(l->vx);
		free(l->vy);
		free(l->material);
		free(l->street);
	}
	for (size_t i = 0; i < net->ndemands; i++) {
		free(net->demands[i].pattern);
		free(net->demands[i].category);
	}
	for (size_t i = 0; i < net->npatterns; i++) {
		free(net->patterns[i].id);
		free(net->patterns[i].mult);
	}
	for (size_t i = 0; i < net->ncurves; i++) {
		free(net->curves[i].id);
		free(net->curves[i].comment);
		free(net->curves[i].x);
		free(net->curves[i].y);
	}
	for (size_t i = 0; i < net->ncontrols; i++)
		free(net->controls[i]);
	for (size_t i = 0; i < net->ndmas; i++) {
		free(net->dmas[i].id);
		free(net->dmas[i].inlets);
	}
	for (size_t i = 0; i < net->nsensors; i++) {
		free(net->sensors[i].id);
		free(net->sensors[i].kind);
	}
	free(net->nodes);
	free(net->links);
	free(net->demands);
	free(net->patterns);
	free(net->curves);
	free(net->controls);
	free(net->dmas);
	free(net->sensors);
	free(net->adj_start);
	free(net->adj_link);
	free(net->adj_node);
	free(net->dist);
	free(net->row);
	aw_map_free(&net->node_index);
	aw_map_free(&net->link_index);
	aw_map_free(&net->sensor_index);
	free(net->title);
	free(net->file);
	free(net);
}

int aw_net_node(const struct aw_net *net, const char *id, size_t *idx)
{
	return aw_map_get(&net->node_index, id, idx);
}

int aw_net_link(const struct aw_net *net, const char *id, size_t *idx)
{
	return aw_map_get(&net->link_index, id, idx);
}

const char *aw_node_type_name(enum aw_node_type t)
{
	return t == AW_JUNCTION ? "junction" : t == AW_RESERVOIR ? "reservoir" : "tank";
}

const char *aw_link_type_name(enum aw_link_type t)
{
	return t == AW_PIPE ? "pipe" : t == AW_PUMP ? "pump" : "valve";
}

int aw_natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t na = 0, nb = 0;
			while (isdigit((unsigned char)a[na]))
				na++;
			while (isdigit((unsigned char)b[nb]))
				nb++;
			if (na != nb)
				return na < nb ? -1 : 1;
			int d = strncmp(a, b, na);
			if (d)
				return d;
			a += na;
			b += nb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++, b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

/* ---- sensors ---- */

long aw_net_add_sensor(struct aw_net *net, const char *id, const char *kind,
    const char *node, const char *link)
{
	size_t e;
	int on_link = node == NULL;

	if (on_link ? !link || !aw_net_link(net, link, &e) : !aw_net_node(net, node, &e))
		return -1;
	net->sensors = aw_reallocarray(net->sensors, net->nsensors + 1, sizeof *net->sensors);
	struct aw_net_sensor *s = &net->sensors[net->nsensors];
	s->id = aw_strdup(id);
	s->kind = aw_strdup(kind ? kind : "");
	s->elem = e;
	s->on_link = on_link;
	s->node = on_link ? net->links[e].n2 : e;
	s->dma = on_link ? net->links[e].dma : net->nodes[e].dma;
	if (!aw_map_get(&net->sensor_index, id, NULL))
		aw_map_put(&net->sensor_index, id, net->nsensors);
	return (long)net->nsensors++;
}

int aw_net_sensor(const struct aw_net *net, const char *id, size_t *idx)
{
	return aw_map_get(&net->sensor_index, id, idx);
}

/* the sensor kinds named in a comment, in order: "<WORD> SENSOR" kinds, then AMR */
static size_t tag_sensors(struct aw_net *net, const char *comment, const char *node,
    const char *link, int want_amr)
{
	const char *id = node ? node : link;
	char word[32];
	size_t added = 0;
	int amr = 0;

	if (!comment)
		return 0;
	for (const char *p = comment; *p;) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		size_t n = 0;
		while (isalnum((unsigned char)p[n]) || p[n] == '_')
			n++;
		if (!n)
			break;
		const char *q = p + n;
		while (*q == ' ' || *q == '\t')
			q++;
		if (n < sizeof word && strncasecmp(q, "SENSOR", 6) == 0 &&
		    !isalnum((unsigned char)q[6])) {
			for (size_t i = 0; i < n; i++)
				word[i] = (char)tolower((unsigned char)p[i]);
			word[n] = 0;
			aw_net_add_sensor(net, id, word, node, link);
			added++;
			p = q + 6;
			continue;
		}
		if (n == 3 && strncasecmp(p, "AMR", 3) == 0)
			amr = 1;
		p += n;
	}
	if (amr && want_amr) {
		aw_net_add_sensor(net, id, "amr_demand", node, link);
		added++;
	}
	return added;
}

size_t aw_net_sensors_from_tags(struct aw_net *net, int amr)
{
	size_t added = 0;
	for (size_t i = 0; i < net->nnodes; i++)
		added += tag_sensors(net, net->nodes[i].comment, net->nodes[i].id, NULL, amr);
	for (size_t i = 0; i < net->nlinks; i++)
		added += tag_sensors(net, net->links[i].comment, NULL, net->links[i].id, amr);
	return added;
}
