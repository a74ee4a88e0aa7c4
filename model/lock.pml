/*
 * gcs-lock protocol v2, model-checked with SPIN. See model/README.md for the mapping from each step to
 * the source function it stands for, the abstractions, the bounds and the figures.
 *
 * Build switches (spin -D...):
 *   NC=n       contenders (2 or 3)          NREF=n   refreshes per lease   FAULTS=n  faults in a run
 *   FOREIGN=n  foreign metadata patches      BREAKS=0 no operator break    LIVE      liveness setup
 *   and one mutant switch at a time (MUT_...), each re-introducing a known or a plausible bug.
 */

#ifndef NC
#define NC 3
#endif
#ifndef TTL
#define TTL 3            /* ticks: the lease's ttl */
#endif
#ifndef MARGIN
#define MARGIN 1         /* ticks: lossMargin */
#endif
#ifndef DRIFT
#define DRIFT 1          /* ticks per ttl: how far a client's elapsed clock may run off the server's */
#endif
#ifndef RI
#define RI 1             /* ticks: refreshInterval */
#endif
#ifndef NREF
#define NREF 2           /* refreshes per lease: the user's work is that long, then it releases */
#endif
#ifndef FAULTS
#define FAULTS 1         /* timeouts (request lost or answer lost), 503s, 429s in one run */
#endif
#ifndef FOREIGN
#define FOREIGN 1        /* foreign metadata patches in one run (255: unbounded) */
#endif
#ifndef BREAKS
#define BREAKS 1         /* operator breaks in one run (0 or 1) */
#endif
#ifndef SKEW
#define SKEW 3           /* MUT_WALL_CLOCK: the waiter's wall clock is this far ahead of the server's */
#endif

/* The holder's deadline, in real ticks after validFrom: ttl - lossMargin on a clock running DRIFT slow. */
#define DL (TTL - MARGIN + DRIFT)
/* The waiter's own-clock judgment, in real ticks: "longer than ttl" on a clock running DRIFT fast. */
#define OWNTH (TTL + 1 - DRIFT)
#define OFF 255
#define FBASE 10         /* the first grant's fence: max(1, serverTimeMs x 1000), abstracted */

#ifdef LIVE
#define MMAX 3           /* metagenerations wrap in the liveness setup (unbounded foreign writer) */
#else
#define MMAX 15          /* never reached within the bounds */
#endif
#define BUMP(m) m = ((m) >= MMAX -> 1 : (m) + 1)

/* answers */
#define NONE 0
#define R200 1
#define R404 2
#define R412 3
#define R429 4
#define R503 5
#define RTIMEOUT 6
/* requests */
#define GET 1
#define INSERT 2
#define REFRESH 3
#define RELEASE 4
/* lease status */
#define IDLE 0
#define HELD 1
#define LOST 2
#define RELEASED 3
#define GAVEUP 4
/* why lost */
#define EXPIRED 1
#define TAKEN 2

#define BROKEN 255       /* owner token written by break: broken-<random> */
#define ANY 255          /* insert without a generation precondition (mutant) */

/* ---------------------------------------------------------------- GCS: the lock object */
bit oEx;                 /* exists */
bit oRel;                /* gcs-lock-state: released (else held) */
byte oG;                 /* generation */
byte oM;                 /* metageneration */
byte oOwner;             /* gcs-lock-owner */
byte oN;                 /* gcs-lock-refresh */
byte oF;                 /* gcs-lock-fence */
byte oAge;               /* server time - updated, in ticks (saturates at TTL+1) */
byte gLo = 100, gHi = 100;  /* generations: unique; with UNORDERED, each new one below or above all so far */

/* ---------------------------------------------------------------- writes in flight: slot 2i main, 2i+1 heartbeat */
/* Reads (GET) are one atomic step: see README "Abstractions". Writes are sent, land, and are answered in
 * three separate steps, with anything in between. */
#define NS (2 * NC)
byte rqOp[NS];
bit rqPend[NS];          /* sent, not yet handled by the server */
bit rqOrph[NS];          /* the client gave up waiting: it may still land, unanswered */
byte rqG[NS], rqM[NS], rqV[NS], rqO[NS];
byte rsCode[NS], rsG[NS], rsM[NS];

/* ---------------------------------------------------------------- the contenders' lease state (LeaseState) */
byte status[NC];
byte why[NC];
bit stopping[NC];        /* release() has begun: the user no longer acts under the lease */
bit inflight[NC];        /* a refresh() call is running */
bit roundOn[NC];         /* a refresh round is running (roundStart set) */
byte rem[NC];            /* ticks until the loss deadline */
byte since[NC] = OFF;    /* ticks since the first send of this attempt / refresh round (OFF: none) */
byte seen[NC] = OFF;     /* waiter: ticks since this (G, counter) was first seen (OFF: none) */
byte lG[NC], lM[NC], lN[NC];
byte tok[NC];            /* the owner token: one per contender, see README (owner tokens) */
byte faults = FAULTS;

/* ---------------------------------------------------------------- ghosts for the properties */
byte lastFence;          /* the fence of the latest grant, for P3 */
byte brokenG;            /* the generation an operator broke */
bit relOK[NC];           /* this contender's own release patch committed */
bit won;                 /* LIVE: the waiter was granted */
bit dead;                /* LIVE: contender 0 crashed */
byte k;                  /* loop index, always 0 between steps */

#define BELIEVES(j) (status[j] == HELD && !stopping[j] && rem[j] > 0 && lG[j] != brokenG)

/* P1: when a contender starts or extends its belief (to a deadline still ahead), nobody else believes (a broken lease is exempt:
 * break is the operator saying its holder is gone; P1b below is what break must keep). */
inline p1(i) {
  for (k : 0 .. NC - 1) { assert(k == i || lG[i] == brokenG || rem[i] == 0 || !BELIEVES(k)) }   /* P1 exclusion: two contenders believe they hold the lease */
  k = 0
}
/* P2 and P3: at the commit of a grant, every earlier holder is past its deadline; fences increase. */
inline p2p3(c, fence) {
  for (k : 0 .. NC - 1) { assert(k == c || !BELIEVES(k)) }                /* P2 loss first: a grant while an earlier holder still believes */
  k = 0;
  assert(fence > lastFence);                                              /* P3 fences: a grant's fence is not above the previous one */
  lastFence = fence
}

#ifdef LIVE
/* Contender 0 may crash: the crash process sets dead, and its two processes stop at their next step.
 * (An unless escape, not a provided clause: SPIN's weak fairness does not see provided clauses.) */
#define CRASHABLE {
#define CRASHED } unless { dead && i == 0 }
#else
#define CRASHABLE
#define CRASHED
#endif

#if defined(MUT_SUSPEND)
bit susp[NC];
byte suspends = 1;
#define PROVIDED provided (!susp[_pid % NC])
#else
#define PROVIDED
#endif

/* ================================================================ the client's side of a request */
/* send a write; the caller has checked !rqPend[s] (a given-up request must land or vanish first) */
inline send(s, op, g, m, v, o) {
  rqOp[s] = op; rqG[s] = g; rqM[s] = m; rqV[s] = v; rqO[s] = o; rsCode[s] = NONE; rqPend[s] = 1
}

/* The answer to a write arrives, or the client stops waiting for it: a timeout (budgeted, or at the
 * lease deadline: every request's timeout is bounded by the deadline) leaves the request in flight, and
 * it may still land. ANSWERED is the guard of the step that handles the answer; giveup() comes first. */
#define ANSWERED(s, i) (rsCode[s] != NONE || \
                        (rqPend[s] && !rqOrph[s] && (faults > 0 || (status[i] == HELD && rem[i] == 0))))
inline giveup(s, i) {
  if
  :: rsCode[s] == NONE ->
     if :: status[i] == HELD && rem[i] == 0 -> skip :: else -> faults-- fi;
     rqOrph[s] = 1; rsCode[s] = RTIMEOUT
  :: else
  fi
}

inline clear(s) { rsCode[s] = NONE; rsG[s] = 0; rsM[s] = 0 }

/* lose.ts declareLost: once, from held */
inline declareLost(i, reason) {
  if
  :: status[i] == HELD ->
     status[i] = LOST; why[i] = reason; rem[i] = 0; roundOn[i] = 0; since[i] = OFF;
     printf("MSC: c%d|LOST (%d: 1 expired, 2 taken): lease.signal aborts\n", i, reason)
  :: else
  fi
}

/* refresh.ts succeed: validFrom = start of the round; an answer after that deadline extends nothing */
inline succeed(i, m, n) {
  lM[i] = m; lN[i] = n; roundOn[i] = 0;
  if
#ifndef MUT_LATE_SUCCESS
  :: since[i] >= DL -> declareLost(i, EXPIRED)
#endif
  :: else -> rem[i] = DL - since[i]; p1(i); printf("MSC: c%d|refreshed: counter %d, deadline in %d ticks\n", i, lN[i], rem[i])
  fi;
  since[i] = OFF
}

#ifdef MUT_KEY_METAGENERATION
#define KEY oM           /* 0.1: the version is (generation, metageneration) */
#else
#define KEY oN           /* 0.2: (generation, refresh counter) */
#endif

/* observe.ts observe + StalenessTracker.see: one GET, read atomically. The own-clock judgment is made
 * at the read (the code makes it at the read's send, earlier: a waiter that judges less often), and a
 * new key is first seen at the read (the code: at its answer's arrival, later: the same). */
#ifdef MUT_FIRST_SEEN_AT_SEND
/* The poll's GET is sent one step before the server reads it (since[i]: ticks since the send), and the
 * tracker dates a new key's first sighting back to that send. */
#define FIRSTSEEN (since[i] == OFF -> 0 : since[i])
#define SENTAGO (since[i] == OFF -> 0 : since[i])
#else
#define FIRSTSEEN 0
#define SENTAGO 0
#endif
inline look(i) {
  obEx = oEx; obRel = oRel; obG = oG; obN = oN; obF = oF; ownExp = 0;
#ifdef MUT_WALL_CLOCK
  obExp = (oEx && oAge + SKEW > TTL);            /* the waiter's wall clock against updated: skew counts */
#else
  obExp = (oEx && oAge > TTL);                   /* Date against updated, both the server's */
#endif
  if
  :: !oEx || oRel -> seen[i] = OFF; trG = 0; trN = 0
  :: oEx && !oRel && seen[i] != OFF && trG == oG && trN == KEY -> ownExp = (seen[i] >= OWNTH + SENTAGO)
  :: else -> trG = oG; trN = KEY; seen[i] = FIRSTSEEN
  fi;
#ifdef MUT_FENCE_UNPINNED
  if :: f0 == 0 && oEx -> f0 = oF :: else fi;
#endif
  printf("MSC: c%d|read: exists %d released %d generation %d counter %d fence %d; expired: server clock %d, own clock %d\n",
         i, obEx, obRel, obG, obN, obF, obExp, ownExp)
}

/* The first HOLDERS contenders make their attempts and give up when they find the lock held
 * (lock.tryAcquire()); the others poll until they get it (lock.acquire()). */
#ifndef HOLDERS
#define HOLDERS 0
#endif
#define WAIT if :: i >= HOLDERS -> goto poll :: else -> status[i] = GAVEUP; trG = 0; trN = 0; seen[i] = OFF; goto fin fi

/* an observation is dead once judged: forgetting it keeps equal states equal */
inline clearobs() { obEx = 0; obRel = 0; obG = 0; obN = 0; obF = 0; obExp = 0; ownExp = 0 }

#ifdef MUT_STALE_AT_ARRIVAL
/* the own-clock judgment made when the waiter acts on the read, on the clock as it is then */
#define JUDGE goto judge
#else
#define JUDGE if :: !obEx || obRel || obExp || ownExp -> goto attempt :: else -> clearobs(); WAIT fi
#endif

/* Contenders and heartbeats are declared first: their pids are 0..NC-1 and NC..2NC-1. */
/* ================================================================ a contender: acquire, hold, release */
active [NC] proctype client() PROVIDED {
  byte i = _pid;
  byte s = 2 * _pid;
  bit obEx, obRel, obExp, ownExp;                 /* the last Observation */
  byte obG, obN, obF;
  byte trG, trN;                                  /* StalenessTracker: the key first seen at seen[i] = 0 */
  byte fence, ifG;
#ifdef MUT_FENCE_UNPINNED
  byte f0;                                        /* the fence of the first record this acquire saw */
#endif
CRASHABLE
  goto attempt;                                   /* acquireGrant: optimistic, assume the lock is absent */

poll:                                             /* sleep, then observe: one GET */
#ifdef MUT_FIRST_SEEN_AT_SEND
  atomic { since[i] = 0; printf("MSC: c%d|read sent\n", i) }
  atomic { look(i); since[i] = OFF; JUDGE }
#else
  atomic { look(i); JUDGE }
#endif
#ifdef MUT_STALE_AT_ARRIVAL
judge:
  atomic {
    ownExp = (obEx && !obRel && seen[i] != OFF && seen[i] >= OWNTH);
    printf("MSC: c%d|judges that read now, on its clock at the answer's arrival: own clock %d\n", i, ownExp);
    if :: !obEx || obRel || obExp || ownExp -> goto attempt :: else -> clearobs(); WAIT fi
  }
#endif

  /* ---- attemptCreate: one insert, pinned to the generation the fence was read from */
attempt:
  atomic {
    !rqPend[s];
    tok[i] = i + 1; since[i] = 0;
#ifdef MUT_TAKEOVER_UNPINNED
    ifG = (obEx -> ANY : 0);
#else
    ifG = (obEx -> obG : 0);
#endif
#ifdef MUT_FENCE_UNPINNED
    fence = (obEx -> f0 + 1 : FBASE);
#else
    fence = (obEx -> obF + 1 : FBASE);
#endif
    printf("MSC: c%d|attemptCreate: insert ifGenerationMatch=%d fence=%d owner=%d\n", i, ifG, fence, tok[i]);
    send(s, INSERT, ifG, 0, fence, tok[i]); clearobs()
  }
inserting:
  atomic {
    ANSWERED(s, i) -> giveup(s, i);
    if
    :: rsCode[s] == R200 -> lG[i] = rsG[s]; lM[i] = rsM[s]; lN[i] = 0; clear(s); goto granted
    :: rsCode[s] == R412 || rsCode[s] == R429 ->  /* observe, then claimIfOurs */
       printf("MSC: c%d|insert answered %d (3: 412, 4: 429): re-read\n", i, rsCode[s]); clear(s);
       if
       :: oEx && !oRel && oOwner == tok[i] ->
          printf("MSC: c%d|re-read shows our owner token: our insert committed\n", i);
          lG[i] = oG; lM[i] = oM; lN[i] = oN; goto granted
       :: else -> since[i] = OFF; look(i); JUDGE
       fi
    :: rsCode[s] == R503 || rsCode[s] == RTIMEOUT ->
       printf("MSC: c%d|insert answered %d (5: 503, 6: timeout): its fate is unknown\n", i, rsCode[s]); clear(s);
       if
       :: goto resend                             /* retryTransient: same token, same preconditions */
#ifndef LIVE
       :: goto abandon                            /* the caller gives up (timeout, signal) */
#endif
       fi
    fi
  }
resend:
  atomic { !rqPend[s] -> send(s, INSERT, ifG, 0, fence, tok[i]) }
  goto inserting;

  /* ---- the lease (Lease, created from the Grant) */
granted:
  atomic {
    trG = 0; trN = 0; seen[i] = OFF; ifG = 0;
#ifdef MUT_FENCE_UNPINNED
    f0 = 0;
#endif
    if
    :: since[i] >= DL -> status[i] = LOST; why[i] = EXPIRED;
       printf("MSC: c%d|granted, but only after its deadline: born lost\n", i)
    :: else -> status[i] = HELD; rem[i] = DL - since[i]; p1(i);
       printf("MSC: c%d|ACQUIRED generation %d fence %d, deadline in %d ticks\n", i, lG[i], fence, rem[i])
    fi;
    since[i] = OFF; fence = 0;
#ifdef LIVE
    if                                            /* the waiter has what it waited for: the run */
    :: i != 0 -> won = 1; status[i] = RELEASED; rem[i] = 0; goto fin   /* can stop here */
    :: else
    fi
#endif
  }

  /* ---- releaseLease: stop the heartbeat, wait for a refresh in flight, then one patch */
  atomic { stopping[i] = 1; printf("MSC: c%d|release() called\n", i) }
relsend:
  atomic {
#ifndef MUT_RELEASE_NO_WAIT
    !inflight[i] && !rqPend[s];
#else
    !rqPend[s];
#endif
    if :: status[i] == HELD && rem[i] == 0 -> declareLost(i, EXPIRED) :: else fi;   /* checkDeadline */
    if
    :: status[i] == LOST && why[i] == TAKEN -> goto done
    :: else -> send(s, RELEASE, lG[i], lM[i], 0, 0)
    fi
  }
  atomic {
    ANSWERED(s, i) -> giveup(s, i);
    if
    :: rsCode[s] == R200 ->
       if :: status[i] == HELD -> assert(relOK[i]); printf("MSC: c%d|release() -> true\n", i)   /* P5 release truthful: true without our release committed */
          :: else
       fi
    :: rsCode[s] == R404 -> skip
    :: rsCode[s] == R412 ->                       /* re-read */
       if
#ifdef MUT_RELEASE_NO_OWNER
       :: oEx && oRel && oG == lG[i] ->
#else
       :: oEx && oRel && oG == lG[i] && oOwner == tok[i] ->
#endif
          if :: status[i] == HELD -> assert(relOK[i]); printf("MSC: c%d|release() -> true (re-read)\n", i)  /* P5 release truthful: true without our release committed */
             :: else
          fi
       :: oEx && !oRel && oG == lG[i] && oOwner == tok[i] && oM != lM[i] ->
          lM[i] = oM; clear(s); goto relsend      /* a foreign patch: adopt M, patch again */
       :: else -> printf("MSC: c%d|release() -> false (it was lost)\n", i)
       fi
    :: rsCode[s] == R503 || rsCode[s] == RTIMEOUT ->
       if
       :: status[i] == HELD && rem[i] > 0 -> clear(s); goto relsend
       :: else -> printf("MSC: c%d|release-failed: left to expire\n", i)
       fi
    fi;
    clear(s)
  }
done:
  atomic {
    if :: status[i] == HELD -> status[i] = RELEASED :: else fi;
    rem[i] = 0; since[i] = OFF; stopping[i] = 0; goto fin
  }

  /* ---- abandon: a given-up attempt whose insert may have committed: mark it released if ours */
abandon:                                          /* one GET, and one patch if it is ours */
  atomic {
    !rqPend[s];
    printf("MSC: c%d|gives up: abandon\n", i); status[i] = GAVEUP; since[i] = OFF;
    if
    :: oEx && !oRel && oOwner == tok[i] -> send(s, RELEASE, oG, oM, 0, 0)
    :: else -> goto fin
    fi
  }
  atomic { ANSWERED(s, i) -> giveup(s, i); clear(s) }
fin:
end:
  skip
CRASHED
}

/* ================================================================ heartbeat.ts + refresh.ts */
active [NC] proctype heartbeat() PROVIDED {
  byte i = _pid - NC;
  byte s = 2 * (_pid - NC) + 1;
CRASHABLE
end:
  do
  :: atomic { status[i] == HELD && !stopping[i] && rem[i] == 0 -> declareLost(i, EXPIRED) }  /* checkDeadline */
  :: atomic {                                     /* onHeartbeat -> refresh: one patch, pinned to G and M */
       status[i] == HELD && !stopping[i] && rem[i] > 0 && lN[i] < NREF &&
       (roundOn[i] || rem[i] + RI <= DL) && !rqPend[s] ->
       inflight[i] = 1;
       if :: !roundOn[i] -> roundOn[i] = 1; since[i] = 0 :: else fi;   /* roundStart */
       printf("MSC: c%d|refresh: patch counter=%d ifGenerationMatch=%d ifMetagenerationMatch=%d\n", i, lN[i] + 1, lG[i], lM[i]);
       send(s, REFRESH, lG[i], lM[i], lN[i] + 1, 0)
     }
     atomic {
       ANSWERED(s, i) -> giveup(s, i);
       if
       :: status[i] != HELD -> skip                                   /* lost or released meanwhile */
#ifdef MUT_LATE_SUCCESS
       :: status[i] == HELD && rem[i] == 0 && rsCode[s] != R200 -> declareLost(i, EXPIRED)
       :: status[i] == HELD && rsCode[s] == R200 -> succeed(i, rsM[s], lN[i] + 1)   /* even after the deadline */
#else
       :: status[i] == HELD && rem[i] == 0 -> declareLost(i, EXPIRED) /* answered after the deadline */
       :: status[i] == HELD && rem[i] > 0 && rsCode[s] == R200 -> succeed(i, rsM[s], lN[i] + 1)
#endif
       :: status[i] == HELD && rem[i] > 0 && rsCode[s] == R404 -> declareLost(i, TAKEN)
       :: status[i] == HELD && rem[i] > 0 && (rsCode[s] == R503 || rsCode[s] == RTIMEOUT) ->
          printf("MSC: c%d|refresh failed (%d): retry later\n", i, rsCode[s])
       :: status[i] == HELD && rem[i] > 0 && rsCode[s] == R412 ->     /* resolveConflict: re-read */
          printf("MSC: c%d|refresh answered 412: re-read\n", i);
          if
#ifdef MUT_REREAD_NO_OWNER
          :: !oEx || oG != lG[i] ->
#else
          :: !oEx || oG != lG[i] || oOwner != tok[i] || oRel ->
#endif
             assert(!relOK[i]);                                        /* P6 no false loss: lost because of our own release */
             declareLost(i, TAKEN)
          :: else ->
#ifdef MUT_NO_REFRESH_COUNT
             if                                                        /* 0.1: any M change is ours */
             :: oM != lM[i] -> succeed(i, oM, oN)
             :: else
             fi
#else
             if
             :: oN == lN[i] + 1 -> succeed(i, oM, oN)                  /* our patch committed */
             :: else -> lM[i] = oM;                                    /* foreign patch: adopt M, extend nothing */
                printf("MSC: c%d|re-read: counter still %d, metageneration %d: a foreign patch; refresh again\n", i, oN, oM)
             fi
#endif
          fi
       fi;
       clear(s); inflight[i] = 0
     }
  od
CRASHED
}

/* ================================================================ the server (GCS): writes */
inline apply(s) {
  c = s / 2;
  if
  :: rqOp[s] == INSERT ->
     if
     :: (rqG[s] == 0 && !oEx) || (rqG[s] != 0 && oEx && (rqG[s] == oG || rqG[s] == ANY)) ->
#ifdef UNORDERED
        if
        :: gHi++; oG = gHi
        :: gLo--; oG = gLo
        fi;
#else
        gHi++; oG = gHi;                          /* only equality of generations is ever used */
#endif
        oEx = 1; oRel = 0; oM = 1; oN = 0; oOwner = rqO[s]; oAge = 0;
#ifdef MUT_FENCE_IS_GEN
        oF = oG;                                  /* 0.1: the token is the generation */
#else
        oF = rqV[s];
#endif
        printf("MSC: S|grant committed: generation %d, fence %d, owner %d\n", oG, oF, oOwner);
        p2p3(c, oF);
        rsG[s] = oG; rsM[s] = oM;
        code = R200
     :: else -> code = R412
     fi
  :: else ->                                      /* REFRESH or RELEASE: a metadata patch */
     if
     :: !oEx -> code = R404
#ifdef MUT_REFRESH_METAGEN_ONLY
     :: oEx && (rqG[s] == oG || rqOp[s] == REFRESH) && rqM[s] == oM ->
#else
     :: oEx && rqG[s] == oG && rqM[s] == oM ->
#endif
        BUMP(oM); oAge = 0;
        if
        :: rqOp[s] == REFRESH -> assert(!oRel); oN = rqV[s];   /* P1b dead stays dead: a refresh landed on a released or broken lease */
           printf("MSC: S|refresh committed: generation %d, counter %d, metageneration %d\n", oG, oN, oM)
        :: else -> oRel = 1; relOK[c] = (oOwner == tok[c]);
           printf("MSC: S|release committed: generation %d marked released, metageneration %d\n", oG, oM)
        fi;
        rsM[s] = oM; code = R200
     :: else -> code = R412
     fi
  fi
}

active proctype server() {
  byte s, c, code;
end:
  do
  :: atomic {
       if
       :: rqPend[0] -> s = 0
       :: rqPend[1] -> s = 1
       :: rqPend[2] -> s = 2
       :: rqPend[3] -> s = 3
#if NC > 2
       :: rqPend[4] -> s = 4
       :: rqPend[5] -> s = 5
#endif
       fi;
       if
       :: rqOrph[s] ->                            /* given up by its client: lands late, or never */
          if
          :: apply(s); printf("MSC: S|(c%d had given that request up: it landed anyway)\n", s / 2)
          :: printf("MSC: S|a request c%d gave up never arrives\n", s / 2)
          fi;
          rqOrph[s] = 0
       :: !rqOrph[s] && faults > 0 && rqOp[s] == INSERT ->   /* 429: the object's write budget */
          faults--; rsCode[s] = R429                  /* (a 503 is a timeout whose request never arrives) */
       :: !rqOrph[s] -> apply(s); rsCode[s] = code
       fi;
       rqPend[s] = 0; rqOp[s] = 0; rqG[s] = 0; rqM[s] = 0; rqV[s] = 0; rqO[s] = 0; s = 0; c = 0; code = 0
     }
  od
}

/* ================================================================ time */
active proctype clock() {
end:
  do
  :: d_step {
       if :: oEx && !oRel && oAge <= TTL -> oAge++ :: else fi;   /* a released lease has no age that anyone reads */
       for (k : 0 .. NC - 1) {
#ifdef MUT_SUSPEND
         if :: rem[k] > 0 && !susp[k] -> rem[k]-- :: else fi;   /* a clock that stops while suspended */
#else
         if :: rem[k] > 0 -> rem[k]-- :: else fi;
#endif
         if :: since[k] < DL -> since[k]++ :: else fi;
         if :: seen[k] < OWNTH -> seen[k]++ :: else fi
       }
       k = 0;
       printf("MSC: T|tick\n")
     }
  od
}

#ifdef MUT_SUSPEND
active proctype suspender() {
  byte v;
  select (v : 0 .. NC - 1);
  susp[v] = 1; printf("MSC: T|c%d's machine suspended\n", v);
  susp[v] = 0; printf("MSC: T|c%d's machine resumed\n", v)
}
#endif

/* ================================================================ the foreign writer and the operator */
active proctype foreign() {
  byte left = FOREIGN;
end:
  do
  :: atomic {
       left > 0 && oEx -> BUMP(oM); oAge = 0;
       if :: left < 255 -> left-- :: else fi;
       printf("MSC: F|foreign metadata patch: metageneration %d\n", oM)
     }
  od
}

#if BREAKS > 0
active proctype operator() {       /* gcs-lock status, then gcs-lock break --token F --force: GET, then PATCH */
  /* The GET and the PATCH pinned to what it read, as one step: if the record changed in between, the
   * PATCH answers 412 and changes nothing, which is the same as no break at all. */
  atomic {
    oEx && !oRel ->
    oRel = 1; oOwner = BROKEN; BUMP(oM); oAge = 0; brokenG = oG;
    printf("MSC: O|break --token %d --force: generation %d marked released, owner replaced\n", oF, oG)
  }
end:
  skip
}
#endif

#ifdef LIVE
active proctype crash() {
  atomic { dead = 1; printf("MSC: c0|CRASHED\n") }
}
ltl replaced { [] (dead -> <> won) }
#endif
