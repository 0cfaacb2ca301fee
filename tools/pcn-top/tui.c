// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-top's curses view. Line 0 is the header, the last line the status
 * (an error, or what is sorted how), the one above it the key help when
 * asked for; the tables fill what is left, and scroll (arrows, j/k,
 * PgUp/PgDn, Home/End) when they are longer than the screen. stderr goes to /dev/null while curses owns the
 * terminal, so nothing scribbles over it.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "top.h"

enum { V_NODES, V_PROCS, V_TYPES, V_ALL, VIEWS };

static const char *const view_names[VIEWS] = {
	[V_NODES] = "nodes+faults",
	[V_PROCS] = "processes",
	[V_TYPES] = "types",
	[V_ALL] = "all",
};

/* The table that s and r act on, in each view. */
static const int view_table[VIEWS] = {
	[V_NODES] = TOP_T_NODES,
	[V_PROCS] = TOP_T_PROCS,
	[V_TYPES] = TOP_T_TYPES,
	[V_ALL] = TOP_T_NODES,
};

static const struct top_col *const table_cols[TOP_TABLES] = {
	[TOP_T_NODES] = top_node_cols,
	[TOP_T_PROCS] = top_proc_cols,
	[TOP_T_TYPES] = top_type_cols,
};

static const char *const table_names[TOP_TABLES] = {
	[TOP_T_NODES] = "nodes",
	[TOP_T_PROCS] = "processes",
	[TOP_T_TYPES] = "types",
};

struct tui {
	struct top_ctx *ctx;
	int view, help;
	struct top_sort sort[TOP_TABLES];
	struct top_view v;
	int vy, bottom;		/* next line of the view, first screen line
				 * not to draw on
				 */
	int top, total;		/* first view line shown, lines in the view */
};

static volatile sig_atomic_t quit_signal;

static void on_signal(int sig)
{
	quit_signal = sig;
}

/* Writes @s at (@y, @x), clipped to the screen; never the last cell. */
static void put(int y, int x, int attr, const char *s)
{
	int room;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	room = COLS - x - (y == LINES - 1);
	if (room <= 0)
		return;
	attron(attr);
	mvaddnstr(y, x, s, room);
	attroff(attr);
}

/*
 * The screen line of the view's next line, -1 when it is scrolled off
 * (above the top, or below the screen): the view is drawn whole every
 * time and the screen shows lines @top.. of it under the header.
 */
static int line(struct tui *t)
{
	int vy = t->vy++, y = 1 + vy - t->top;

	return vy >= t->top && y < t->bottom ? y : -1;
}

/* Screen lines the view has: between the header and the status. */
static int page(const struct tui *t)
{
	return t->bottom - 1 > 1 ? t->bottom - 1 : 1;
}

/* Cells padded to the column widths; @xs gets where each starts. */
static void fmt_row(char *buf, size_t len, const struct top_col *cols, int n,
		    struct top_row *r, int *xs)
{
	size_t off = 0;
	int i, k;

	buf[0] = '\0';
	for (i = 0; i < n && off < len - 1; i++) {
		if (xs)
			xs[i] = off;
		k = snprintf(buf + off, len - off, cols[i].left ? "%-*s " :
			     "%*s ", cols[i].width, r->cell[i]);
		if (k < 0)
			break;
		off += k;
	}
}

static void draw_title(struct tui *t, const char *title)
{
	put(line(t), 0, A_BOLD, title);
}

/* The column names; the sorted one (@sort_col >= 0) in reverse video. */
static void draw_head(struct tui *t, const struct top_col *cols, int n,
		      int sort_col)
{
	int xs[TOP_MAXCOL] = { 0 }, i, y = line(t);
	struct top_row c, one;
	char buf[512];

	for (i = 0; i < n; i++)
		snprintf(c.cell[i], TOP_CELL, "%s", cols[i].name);
	fmt_row(buf, sizeof(buf), cols, n, &c, xs);
	put(y, 0, A_UNDERLINE, buf);
	if (sort_col >= 0 && sort_col < n) {
		memcpy(one.cell[0], c.cell[sort_col], TOP_CELL);
		fmt_row(buf, sizeof(buf), cols + sort_col, 1, &one, NULL);
		buf[strlen(buf) - 1] = '\0';	/* the padding blank */
		put(y, xs[sort_col], A_REVERSE, buf);
	}
}

static void draw_cells(struct tui *t, const struct top_col *cols, int n,
		       struct top_row *r)
{
	char buf[512];

	fmt_row(buf, sizeof(buf), cols, n, r, NULL);
	put(line(t), 0, A_NORMAL, buf);
}

static void draw_note(struct tui *t, const char *s)
{
	put(line(t), 0, A_DIM, s);
}

static void draw_nodes(struct tui *t)
{
	struct top_row c;
	unsigned int i;
	char buf[160];
	int k;

	draw_title(t, "CLUSTER (each node's own counters)");
	draw_head(t, top_cluster_cols, TOP_CLUSTER_COLS, -1);
	for (i = 0; i < t->v.n_cnodes; i++) {
		top_cluster_cells(&t->v.cnodes[i], &c);
		draw_cells(t, top_cluster_cols, TOP_CLUSTER_COLS, &c);
	}
	line(t);
	draw_title(t, "NODES (this node's traffic with each)");
	draw_head(t, top_node_cols, TOP_NODE_COLS, t->sort[TOP_T_NODES].col);
	for (i = 0; i < t->v.n_nodes; i++) {
		top_node_cells(&t->v.nodes[i], &c);
		draw_cells(t, top_node_cols, TOP_NODE_COLS, &c);
	}
	line(t);
	draw_title(t, "FAULTS");
	draw_head(t, top_fault_cols, TOP_FAULT_COLS, -1);
	for (k = 0; k < PCN_FAULT_KINDS; k++) {
		top_fault_cells(&t->v, k, &c);
		draw_cells(t, top_fault_cols, TOP_FAULT_COLS, &c);
	}
	top_inval_line(&t->v, buf, sizeof(buf));
	put(line(t), 0, A_NORMAL, buf);
}

static const char *local_tid(const struct pcn_thread *th, char *buf)
{
	if (th->local_tid == PCN_NONE)
		return "-";
	snprintf(buf, 16, "%u", th->local_tid);
	return buf;
}

static void draw_procs(struct tui *t)
{
	const struct pcn_proc *p;
	unsigned int i, j;
	struct top_row c, tc;
	char buf[160], lt[16];

	draw_title(t, "PROCESSES");
	draw_head(t, top_proc_cols, TOP_PROC_COLS, t->sort[TOP_T_PROCS].col);
	if (t->v.procs_unsupported)
		draw_note(t, "(this kernel does not list processes)");
	else if (!t->v.n_procs)
		draw_note(t, "(no distributed process on this node)");
	for (i = 0; i < t->v.n_procs; i++) {
		p = t->v.procs[i];
		top_proc_cells(p, &c);
		draw_cells(t, top_proc_cols, TOP_PROC_COLS, &c);
		for (j = 0; j < p->nthreads; j++) {
			top_thread_cells(p, &p->threads[j], &tc);
			snprintf(buf, sizeof(buf),
				 "        tid %-7s on node %-3s local tid %s",
				 tc.cell[1], tc.cell[2], local_tid(&p->threads[j], lt));
			put(line(t), 0, A_NORMAL, buf);
		}
	}
}

static void draw_types(struct tui *t)
{
	unsigned int i;
	struct top_row c;

	draw_title(t, "TYPES");
	draw_head(t, top_type_cols, TOP_TYPE_COLS, t->sort[TOP_T_TYPES].col);
	if (!t->v.n_types)
		draw_note(t, "(no messages yet)");
	for (i = 0; i < t->v.n_types; i++) {
		top_type_cells(&t->v.types[i], &c);
		draw_cells(t, top_type_cols, TOP_TYPE_COLS, &c);
	}
}

/* "up 2d 03:04" from /proc/uptime, "" when unreadable. */
static void up_since_boot(char *buf, size_t len)
{
	double up = -1;
	FILE *f = fopen("/proc/uptime", "r");
	long s;

	buf[0] = '\0';
	if (!f)
		return;
	if (fscanf(f, "%lf", &up) != 1)
		up = -1;
	fclose(f);
	if (up < 0)
		return;
	s = (long)up;
	if (s >= 86400)
		snprintf(buf, len, "  up %ldd %02ld:%02ld", s / 86400,
			 s % 86400 / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "  up %02ld:%02ld", s / 3600, s % 3600 / 60);
}

static void draw_header(struct tui *t)
{
	char buf[256], clock[16], up[40], self[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	up_since_boot(up, sizeof(up));
	if (t->v.self < 0)
		snprintf(self, sizeof(self), "?");
	else
		snprintf(self, sizeof(self), "%d", t->v.self);
	snprintf(buf, sizeof(buf), "pcn-top  node %s  %s%s  every %.1f s  [%d %s]",
		 self, clock, up, t->ctx->interval, t->view + 1,
		 view_names[t->view]);
	put(0, 0, A_BOLD, buf);
}

static void draw_status(struct tui *t)
{
	const struct top_sort *s = &t->sort[view_table[t->view]];
	const struct top_col *col = &table_cols[view_table[t->view]][s->col];
	char buf[320];

	if (t->help && LINES >= 3)
		put(LINES - 2, 0, A_NORMAL,
		    "q quit  Tab/1-4 view  s sort column  r reverse  arrows/PgUp/PgDn scroll  h/? help");
	if (t->v.status && t->v.status[0]) {
		snprintf(buf, sizeof(buf), "error: %s", t->v.status);
		put(LINES - 1, 0, A_REVERSE, buf);
		return;
	}
	snprintf(buf, sizeof(buf), "%s by %s%s  (h: help)",
		 table_names[view_table[t->view]], col->name,
		 (col->desc ^ s->rev) ? ", largest first" : "");
	if (t->total > page(t))
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "  lines %d-%d of %d", t->top + 1,
			 t->top + page(t) < t->total ? t->top + page(t) :
			 t->total, t->total);
	put(LINES - 1, 0, A_NORMAL, buf);
}

static void draw_view(struct tui *t)
{
	t->vy = 0;
	t->bottom = LINES - 1 - (t->help && LINES >= 3);
	switch (t->view) {
	case V_NODES:
		draw_nodes(t);
		break;
	case V_PROCS:
		draw_procs(t);
		break;
	case V_TYPES:
		draw_types(t);
		break;
	default:
		draw_nodes(t);
		line(t);
		draw_procs(t);
		line(t);
		draw_types(t);
	}
	t->total = t->vy;
}

static void draw(struct tui *t)
{
	erase();
	draw_header(t);
	draw_view(t);
	/* Scrolled past the end (the view got shorter): show its end. */
	if (t->top > 0 && t->top > t->total - page(t)) {
		t->top = t->total > page(t) ? t->total - page(t) : 0;
		erase();
		draw_header(t);
		draw_view(t);
	}
	if (LINES > 1)
		draw_status(t);
	refresh();
}

/* Returns 1 to quit. */
static int key(struct tui *t, int ch)
{
	struct top_sort *s = &t->sort[view_table[t->view]];
	int table = view_table[t->view];

	switch (ch) {
	case 'q':
	case 'Q':
		return 1;
	case '\t':
		t->view = (t->view + 1) % VIEWS;
		t->top = 0;
		break;
	case KEY_BTAB:
		t->view = (t->view + VIEWS - 1) % VIEWS;
		t->top = 0;
		break;
	case '1':
	case '2':
	case '3':
	case '4':
		t->view = ch - '1';
		t->top = 0;
		break;
	case KEY_DOWN:
	case 'j':
		t->top++;
		break;
	case KEY_UP:
	case 'k':
		t->top = t->top > 0 ? t->top - 1 : 0;
		break;
	case KEY_NPAGE:
	case ' ':
		t->top += page(t);
		break;
	case KEY_PPAGE:
		t->top = t->top > page(t) ? t->top - page(t) : 0;
		break;
	case KEY_HOME:
	case 'g':
		t->top = 0;
		break;
	case KEY_END:
	case 'G':
		t->top = t->total;	/* draw() clamps it */
		break;
	case 's':
		s->col = (s->col + 1) % top_ncols[table];
		s->rev = 0;
		break;
	case 'r':
		s->rev = !s->rev;
		break;
	case 'h':
	case '?':
		t->help = !t->help;
		break;
	default:	/* KEY_RESIZE among others: just redraw */
		break;
	}
	top_view_sort(&t->v, t->sort);
	return 0;
}

/* stderr to /dev/null; returns the saved stderr, -1 if none. */
static int stderr_mute(void)
{
	int fd, saved;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open("/dev/null", O_WRONLY);
	if (saved >= 0 && fd >= 0)
		dup2(fd, STDERR_FILENO);
	if (fd >= 0)
		close(fd);
	return saved;
}

static void stderr_restore(int saved)
{
	if (saved < 0)
		return;
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: getch() returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int loop(struct tui *t, int count)
{
	struct top_sample a = { 0 }, b = { 0 };
	struct top_sample *prev = &a, *cur = &b, *tmp;
	double next, now;
	int n = 0, ch, ms, ret = TOP_EXIT_OK;

	top_sample_take(t->ctx, prev);
	if (top_view_build(t->ctx, &t->v, NULL, prev))
		goto nomem;
	top_view_sort(&t->v, t->sort);
	draw(t);
	next = top_now() + t->ctx->interval;
	while (!quit_signal) {
		now = top_now();
		if (now < next) {
			ms = (next - now) * 1000 + 1;
			timeout(ms);
			ch = getch();
			if (ch != ERR) {
				if (key(t, ch))
					break;
				draw(t);
			}
			continue;
		}
		top_sample_take(t->ctx, cur);
		if (top_view_build(t->ctx, &t->v, prev, cur))
			goto nomem;
		top_view_sort(&t->v, t->sort);
		tmp = prev;
		prev = cur;
		cur = tmp;
		draw(t);
		if (count && ++n >= count)
			break;
		next += t->ctx->interval;
		if (next < top_now())
			next = top_now() + t->ctx->interval;
	}
	goto out;
nomem:
	ret = TOP_EXIT_FAIL;
out:
	top_view_free(&t->v);
	top_sample_free(&a);
	top_sample_free(&b);
	return ret;
}

int top_tui(struct top_ctx *ctx, int count)
{
	static struct tui t;
	const char *term = getenv("TERM");
	SCREEN *scr;
	int saved, ret;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "pcn-top: not a terminal; -b prints snapshots as text\n");
		return TOP_EXIT_FAIL;
	}
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "pcn-top: cannot drive terminal type '%s'; -b prints snapshots as text\n",
			term ? term : "(unset)");
		return TOP_EXIT_FAIL;
	}
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	signals();
	saved = stderr_mute();
	pcn_nl_quiet = 1;

	t.ctx = ctx;
	ret = loop(&t, count);

	endwin();
	delscreen(scr);
	stderr_restore(saved);
	if (ret)
		fprintf(stderr, "pcn-top: out of memory\n");
	return ret;
}
