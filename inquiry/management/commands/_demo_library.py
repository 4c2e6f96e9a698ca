"""The demo library's content for seed_demo: about thirty micro-learning modules written
for Staffroom's demo (not copied from anywhere), and a few school improvement priorities
for the demo schools.

Plain data plus two small functions: `modules()` returns the modules as dicts (the keys
are the Module fields the library service takes; phases and areas are slugs, subjects are
community Subject names, tags are community Tag names), and `seed_priorities()` creates
the priorities through inquiry.services.priorities. British English, written for busy
teachers: each module can be read in its stated minutes and tried next lesson."""

import re
import textwrap

from django.utils.text import slugify

from community.models import School, User
from inquiry.models import SchoolPriority
from inquiry.services import priorities as priorities_service

_BLOCK_START = re.compile(r"(#{1,6} |[-*] |\d+\. )")


def _md(text: str) -> str:
    """The source as a teacher would type it: a paragraph or list item on one line. (The
    text here is wrapped to fit the code, and render_markdown keeps line breaks.)"""
    lines: list[str] = []
    for line in textwrap.dedent(text).strip().splitlines():
        line = line.strip()
        joins = line and lines and lines[-1] and not lines[-1].startswith("#")
        if joins and not _BLOCK_START.match(line):
            lines[-1] += " " + line
        else:
            lines.append(line)
    return "\n".join(lines)


MODULES = [
    {
        "title": "Retrieval practice starters",
        "summary": "Open every lesson with five minutes of recall from last week, last month "
        "and last term, so that knowledge is remembered, not just met.",
        "minutes": 10,
        "phases": ["secondary"],
        "subjects": ["Science"],
        "areas": ["ks3", "ks4"],
        "tags": ["retrieval-practice", "memory", "starters"],
        "body": """
            Pupils forget most of what they meet unless they are asked to bring it back to
            mind. Pulling an idea out of memory strengthens it far more than reading it
            again: this is the *testing effect*, one of the most replicated findings in
            cognitive psychology. A retrieval starter turns the first five minutes of a
            lesson, often lost to settling, into the most useful minutes of the week.

            ## How to run one

            1. Put four or five short questions on the board as pupils come in.
            2. Mix the spacing: one from last lesson, one from last week, one from last
               month, one from last term. Older questions do more work.
            3. Pupils answer **from memory, in silence**, for three or four minutes. No
               books, no notes.
            4. Go through the answers quickly. Pupils mark their own in a different
               colour and add what they missed.
            5. Ask for a show of hands on each question: the one most people missed is
               tomorrow's reteach.

            ## Keep it low stakes

            Do not collect the scores or rank anyone. The point is the act of remembering,
            not the mark. If pupils fear getting it wrong they guess less and copy more.

            ## Common pitfalls

            - Questions that are too big ("Explain photosynthesis") take the whole lesson.
              Aim for answers of a word or a sentence.
            - Only asking about last lesson. The struggle to recall older material is
              exactly what makes it stick.
            - Skipping the feedback. Pupils need to know which answers were right.
        """,
        "try_prompt": """
            With one class this week, open three lessons with four retrieval questions
            spread across last lesson, last month and last term. Note which question most
            pupils missed each time and what you did about it.
        """,
    },
    {
        "title": "Wait time: the pause that changes answers",
        "summary": "Waiting three seconds after a question, and again after an answer, "
        "gives more pupils time to think and lengthens what they say.",
        "minutes": 8,
        "phases": ["primary", "secondary"],
        "subjects": ["Whole-school and pastoral"],
        "areas": ["ks2", "ks3"],
        "tags": ["questioning", "wait-time", "thinking"],
        "body": """
            In most classrooms the gap between a teacher's question and the next thing the
            teacher says is about a second. That is long enough for the quickest pupils
            and nobody else. Mary Budd Rowe's classroom studies in the 1970s found that
            when teachers stretched that gap to around three seconds, answers became
            longer, more pupils offered them, and more of them gave reasons.

            ## Two pauses, not one

            - **Wait time 1**: after you ask, before anyone answers. Everyone is thinking.
            - **Wait time 2**: after a pupil answers, before you respond. The pupil often
              adds to or corrects their own answer, and others build on it.

            ## Making the silence comfortable

            Silence feels long to the teacher, not to the class. Help yourself:

            - Say it out loud: "I'm going to give everyone ten seconds to think."
            - Count slowly in your head, or look at the clock.
            - Ask for no hands up during thinking time, so the fastest pupils do not
              close the question for everyone else.
            - Give something to do with the time: "Jot one word that might be in your
              answer."

            ## When not to wait

            Quick-fire recall of facts does not need a long pause. Save wait time for
            questions that need thought: why, how, what if, what is the difference.
        """,
        "try_prompt": """
            Choose two "why" questions for one lesson. After each, wait a full five seconds
            with no hands up, then take an answer and wait three more seconds before
            responding. Notice who answers, and how long the answers are.
        """,
    },
    {
        "title": "Think-pair-share that everyone joins",
        "summary": "A simple structure that gives every child thinking time and a partner to "
        "rehearse with before anyone speaks to the whole class.",
        "minutes": 10,
        "phases": ["primary"],
        "subjects": ["English"],
        "areas": ["ks1", "ks2"],
        "tags": ["oracy", "talk", "participation"],
        "body": """
            Think-pair-share is one of the oldest talk structures in teaching because it
            works: every pupil thinks, every pupil says something, and the ones who share
            with the class have already rehearsed. It goes wrong when "pair" becomes a
            chat about the weekend, or when the same confident children do all the
            sharing.

            ## Make each step count

            - **Think** (30 seconds to a minute): silent, and ideally written: a word, a
              sketch, a sentence starter. Writing something down makes it harder to opt
              out.
            - **Pair** (one to two minutes): fixed talk partners, sitting side by side.
              Give roles: partner A speaks first, partner B must add to or question what A
              said. Swap next time.
            - **Share**: choose pairs, not volunteers. Ask "What did your partner say?"
              sometimes: it makes listening matter.

            ## Teach the talk, not just the task

            Young children need to be shown what good partner talk looks like. Model it
            with a teaching assistant or a pupil: turning to face each other, taking
            turns, asking "Why do you think that?" Praise the talk you want to see, by
            name and specifically.

            ## Listen in

            While pairs talk, walk and listen. You will hear misconceptions before they
            reach the whole class, and you can pick the pair whose idea will move the
            discussion on.
        """,
        "try_prompt": """
            Set up fixed talk partners with an A and a B. Use think-pair-share twice in
            one lesson, choosing pairs (not hands) to share. Listen in to three pairs and
            jot down one thing each said.
        """,
    },
    {
        "title": "Sentence stems that lift classroom talk",
        "summary": "A few well-chosen stems on the wall help pupils agree, disagree and build "
        "on each other's ideas in full, reasoned sentences.",
        "minutes": 12,
        "phases": ["primary", "secondary"],
        "subjects": ["English"],
        "areas": ["ks2", "ks3"],
        "tags": ["oracy", "sentence-stems", "discussion"],
        "body": """
            Many pupils have ideas but not the words to join a discussion with them.
            Sentence stems give them the opening so they can concentrate on the thinking.
            They also change the *kind* of talk: from a string of separate answers to the
            teacher towards pupils responding to each other.

            ## Start with a handful

            Choose three or four stems for one purpose and teach them explicitly:

            - Building: "I'd like to add to what ___ said…"
            - Challenging: "I disagree with ___ because…"
            - Reasoning: "I think ___ because…"
            - Clarifying: "Can you explain what you mean by…?"

            Put them where pupils can see them while they talk, not in a book.

            ## Model, then expect

            Use the stems yourself when you respond to pupils. When a pupil answers with a
            single word, point to the wall: "Can you say that using *because*?" Over a few
            weeks, expect the stems in paired talk as well as whole-class discussion.

            ## Fade them out

            Stems are scaffolding. Once a class uses "because" naturally, swap in more
            demanding ones ("That reminds me of…", "The evidence for that is…"). Older
            pupils can help choose the stems for a subject: what does a historian or a
            scientist say when they disagree?

            ## Watch for

            Stems used as a formula without listening. The test is whether the second
            speaker really refers to what the first said.
        """,
        "try_prompt": """
            Teach one "building" stem and one "challenging" stem at the start of a lesson
            and use them in a five-minute discussion. Count how many pupils refer to what
            another pupil said, and compare with a normal lesson.
        """,
    },
    {
        "title": "Worked examples and faded practice in maths",
        "summary": "Show a full worked example, then a partly worked one, then let pupils do "
        "the whole thing: less overload, more success.",
        "minutes": 15,
        "phases": ["secondary"],
        "subjects": ["Mathematics"],
        "areas": ["ks3", "ks4"],
        "tags": ["worked-examples", "cognitive-load", "modelling"],
        "body": """
            When pupils are new to a procedure, solving problems from scratch uses so much
            of their working memory that little is left for learning how the procedure
            works. Studying a worked example first frees that capacity: this *worked
            example effect* is one of the clearest findings of cognitive load theory.

            ## A simple sequence

            1. **Full example.** Solve one problem on the board, narrating every decision:
               "I'm dividing both sides by 3 because I want *x* on its own."
            2. **Example–problem pair.** Put a worked example beside an almost identical
               problem. Pupils study the first and solve the second.
            3. **Faded example.** Give a problem with the first steps done and the last
               ones blank. Next time, fewer steps are done for them.
            4. **Independent practice.** Only now, problems with no support.

            ## Make the thinking visible

            - Write each step on a new line, lined up, so the structure is visible.
            - Put the "why" beside each step in a few words.
            - Ask pupils to explain a step to a partner before they copy anything.

            ## Watch the expertise reversal

            Worked examples help novices most. Once pupils are fluent, studying full
            solutions wastes their time: move them on to independent and varied problems.
            Mini-whiteboard checks tell you when to fade.

            ## A common slip

            Showing three examples in a row, then a page of exercises. The pairs and the
            fading are where most of the learning happens.
        """,
        "try_prompt": """
            Plan one new procedure as: one full worked example, two example–problem pairs,
            two faded examples, then independent questions. Note where pupils first
            stumble and whether fewer ask for help than usual.
        """,
    },
    {
        "title": "Dialogic reading with picture books",
        "summary": "Turn story time into a conversation: short prompts that invite children "
        "to talk about the pictures and the story, and grow their language.",
        "minutes": 12,
        "phases": ["eyfs"],
        "subjects": ["Early reading and phonics"],
        "areas": ["communication-language", "literacy"],
        "tags": ["dialogic-reading", "vocabulary", "stories"],
        "body": """
            Reading aloud matters, but children's language grows most when they talk about
            the book too. In *dialogic reading*, developed by Grover Whitehurst and
            colleagues, the adult gradually hands over the telling: the child becomes the
            storyteller and the adult the listener who asks, expands and praises.

            ## The PEER sequence

            - **Prompt** the child to say something about the book.
            - **Evaluate** the answer (warmly: "Yes, it is a fox!").
            - **Expand** it by rephrasing and adding: "It's a sly fox, creeping behind the
              tree."
            - **Repeat**: ask the child to say the expanded version.

            ## Kinds of prompt (CROWD)

            - **C**ompletion: "The bear went over the…"
            - **R**ecall: "What happened to the hen?"
            - **O**pen-ended: "Tell me what's happening on this page."
            - **W**h- questions: "What is this called? Why is he hiding?"
            - **D**istancing: "Have you ever been lost? How did it feel?"

            ## Making it work in a busy setting

            Small groups of three to five work better than the whole class. Read the same
            book several times across a week: familiarity lets children take over more of
            the telling each time. Choose books with rich pictures and a few words worth
            teaching. Adults other than the teacher can use PEER just as well: share a
            prompt card with your team.
        """,
        "try_prompt": """
            Choose one picture book and read it with the same small group three times this
            week, using PEER and at least two kinds of CROWD prompt each time. Note who
            talks more by the third reading, and one new word a child used.
        """,
    },
    {
        "title": "Hinge questions: check before you move on",
        "summary": "One well-designed multiple-choice question at the pivot of a lesson tells "
        "you in seconds whether the class is ready for the next step.",
        "minutes": 12,
        "phases": ["secondary"],
        "subjects": ["Science", "Mathematics"],
        "areas": ["ks3", "ks4"],
        "tags": ["assessment-for-learning", "questioning", "misconceptions"],
        "body": """
            A hinge question, a term from Dylan Wiliam's work on formative assessment,
            sits at the point of a lesson where what you do next depends on whether pupils
            have understood. Everyone answers at once, you see every answer, and you
            decide: move on, reteach, or group.

            ## What makes a good one

            - **Multiple choice**, with every wrong option a known misconception, so each
              wrong answer tells you *what* went wrong.
            - **Quick**: answerable in under a minute, and readable in seconds by you.
            - **Diagnostic**: a pupil should not be able to get it right for the wrong
              reason.

            For example, in science: *A ball is thrown upwards. At the top of its path,
            which forces act on it?* (A) none (B) gravity only (C) gravity and the force of
            the throw (D) the force of the throw only. C is the misconception most worth
            catching.

            ## Running it

            1. Pupils think silently, then show their answer at the same time: fingers,
               letter cards or mini whiteboards.
            2. Scan the room. Decide before the lesson what you will do if most, some or
               few are right.
            3. If answers split, ask a pupil with each answer to argue for it before you
               reveal.

            ## Writing them takes time

            Share them. A department bank of hinge questions, each with its
            misconceptions noted, is worth more than any single one.
        """,
        "try_prompt": """
            Write one hinge question for the midpoint of a lesson, with each wrong option
            a misconception you have seen. Decide in advance what you will do for each
            result, use it, and note what you actually did.
        """,
    },
    {
        "title": "Cold calling with care",
        "summary": "Choosing who answers, rather than waiting for hands, keeps everyone "
        "thinking; done warmly, it builds confidence instead of fear.",
        "minutes": 10,
        "phases": ["secondary"],
        "subjects": ["Whole-school and pastoral"],
        "areas": ["ks3", "ks4"],
        "tags": ["questioning", "participation", "relationships"],
        "body": """
            When only volunteers answer, the same few pupils do most of the thinking out
            loud, and the rest learn that they can wait it out. Cold calling, choosing who
            answers, makes every question everyone's question. Doug Lemov popularised it
            in *Teach Like a Champion*; the care is in how you do it.

            ## Ask, pause, then name

            Ask the question to the whole class, wait, *then* say the name. If you name
            first, everyone else stops thinking.

            ## Make it safe to be wrong

            - Tell the class why you do it: "I want to hear from everyone, not just the
              fastest."
            - Start with questions most pupils can answer, so the first experience is
              success.
            - Treat a wrong answer as useful: "Thank you, that's a really common idea.
              Who can tell us what's tempting about it?"
            - Allow "I'm not sure yet, can I come back?", and do come back.

            ## Know your pupils

            Some pupils need warning: a quiet word before the lesson ("I'll ask you about
            question 2") lets an anxious pupil prepare. Pupils with speech, language or
            communication needs may need a choice of answers or a partner to confer with
            first. Cold calling is about inclusion: adapt it so it includes.

            ## Combine it

            Cold call after think-pair-share ("What did you and your partner decide?")
            and the risk for the pupil drops while the accountability stays.
        """,
        "try_prompt": """
            For one lesson, explain to the class why you will choose who answers. Use
            ask–pause–name for every question, and keep a tally of how many different
            pupils spoke compared with a usual lesson.
        """,
    },
    {
        "title": "Modelling writing live",
        "summary": "Write in front of the class, thinking aloud, so that pupils see the "
        "decisions a writer makes and not just the finished text.",
        "minutes": 15,
        "phases": ["primary"],
        "subjects": ["English"],
        "areas": ["ks2"],
        "tags": ["writing", "modelling", "metacognition"],
        "body": """
            A finished model text shows pupils what good writing looks like. It doesn't
            show them how it was made. Live modelling, writing in front of the class and
            thinking aloud, makes the invisible decisions visible: choosing a word,
            rereading, changing your mind. The EEF's guidance on metacognition recommends
            exactly this kind of explicit modelling.

            ## Before you start

            Know what you want to model: one or two features, not everything. "Today I'm
            going to show you how I make the opening of a story grab the reader."

            ## While you write

            - Write on the board or a visualiser, at the pupils' pace.
            - Say your thinking: "I've written *It was dark*. That's a bit flat. What
              could I show instead? *The streetlight flickered and went out.* Better."
            - Make a mistake on purpose and fix it: reread, cross out, improve.
            - Refer back to the success criteria as you go.

            ## Share the pen

            After a few sentences, move to shared writing: pupils suggest the next
            sentence, you choose and improve together. Then pupils write their own
            version with the model still visible.

            ## Keep it short

            Five to ten minutes of modelling is plenty. Long modelling sessions lose
            pupils, and they need time to write.

            ## A useful check

            Ask pupils afterwards: "What did I do when I got stuck?" If they can tell you,
            they saw the process, not just the product.
        """,
        "try_prompt": """
            Model the opening paragraph of the next piece of writing live, for no more than
            ten minutes, thinking aloud and fixing one deliberate mistake. Afterwards ask
            three pupils what you did when you got stuck, and note their answers.
        """,
    },
    {
        "title": "Low-stakes quizzing at A level",
        "summary": "Frequent, short, ungraded quizzes help sixth formers remember the large "
        "body of knowledge their exams demand, and show them what they don't know yet.",
        "minutes": 10,
        "phases": ["post-16"],
        "subjects": ["History"],
        "areas": ["ks5"],
        "tags": ["retrieval-practice", "quizzing", "revision"],
        "body": """
            Sixth formers often revise by rereading and highlighting, which feels
            productive but does little for long-term memory. Quizzing themselves works
            much better: a large review of learning techniques by Dunlosky and colleagues
            (2013) rated practice testing among the most useful. Students rarely do it on
            their own, so build it into lessons.

            ## A weekly rhythm

            - **Start of lesson**: five to eight short questions on content from earlier
              in the course, not just this week.
            - **Mixed topics**: interleave periods, themes or units, so students practise
              choosing what knowledge a question needs.
            - **Self-marked**, immediately, with the correct answers shown.

            ## Go beyond facts

            A level history needs more than dates. Include questions that ask for a
            judgement in one sentence ("Which was the more significant cause, and why?"),
            a historian's interpretation, or the link between two events.

            ## Let students use the results

            Ask students to keep a log of questions they got wrong and return to them the
            following week. This builds the habit they need for independent revision.

            ## Keep it low stakes

            Don't record the scores in a markbook or compare students. Anxiety about the
            mark pushes students back to rereading, which feels safer.

            ## Share the load

            Students can write quiz questions for each other on a topic: writing good
            questions is itself retrieval.
        """,
        "try_prompt": """
            For two weeks, start each lesson with a six-question mixed quiz on earlier
            topics, self-marked. Ask students to log what they got wrong, and at the end
            ask them whether it changed how they revise.
        """,
    },
    {
        "title": "Dual coding: words and pictures together",
        "summary": "Pairing clear visuals with spoken explanation gives pupils two routes "
        "into memory; simple diagrams beat decorative slides.",
        "minutes": 12,
        "phases": ["secondary"],
        "subjects": ["Geography"],
        "areas": ["ks3"],
        "tags": ["dual-coding", "visuals", "explanation"],
        "body": """
            We process words and images through partly separate channels. Allan Paivio's
            dual coding theory, and later work on multimedia learning, suggest that
            explaining with a well-chosen visual *and* spoken words helps pupils build a
            richer memory than either alone. The key word is well-chosen.

            ## What helps

            - **Diagrams that show structure**: a cross-section of a river, a flow
              diagram of the water cycle, a timeline, a Venn diagram.
            - **Drawing as you explain**: build the diagram live, one part at a time, so
              pupils' attention follows your words.
            - **Talk over the visual, rather than text on it**: reading a slide of text
              while listening to you say something else overloads pupils.

            ## What doesn't

            Clip art, decorative backgrounds and busy slides. Pictures that don't carry
            meaning compete for attention and make learning harder.

            ## Let pupils dual code too

            - Ask pupils to turn a paragraph into a labelled diagram, or a diagram into a
              paragraph.
            - Use retrieval with visuals: give a blank version of last week's diagram and
              ask pupils to label it from memory.
            - Teach a small set of conventions: arrows for causes, boxes for processes.

            ## A quick test for your slides

            Could a pupil explain the idea using only your diagram? If yes, it's doing
            work. If it's there to look nice, take it out.
        """,
        "try_prompt": """
            Replace one text-heavy slide with a diagram you draw live while explaining. In
            the next lesson, give pupils a blank version to label from memory and note how
            much they recall.
        """,
    },
    {
        "title": "Feedback that moves learning on",
        "summary": "The best feedback gives pupils something to do next, is acted on in the "
        "lesson, and takes the teacher less time than marking every line.",
        "minutes": 15,
        "phases": ["secondary"],
        "subjects": ["English"],
        "areas": ["ks3", "ks4"],
        "tags": ["feedback", "assessment-for-learning", "workload"],
        "body": """
            Feedback can have a large effect on learning, but not all feedback helps. The
            EEF's guidance report on teacher feedback is clear that *how* feedback is
            received and used matters more than its method: written comments no one acts
            on, however careful, change little.

            ## Make it about the next step

            Instead of "Good use of quotations", try "Choose your strongest quotation and
            add a sentence on the effect of one word in it." Feedback should be a task,
            not a verdict.

            ## Give time to act on it

            Plan ten minutes at the start of the next lesson for pupils to respond:
            redraft a paragraph, answer a follow-up question, correct an error. Without
            this time, feedback is mostly for the teacher's benefit.

            ## Whole-class feedback saves hours

            1. Read a set of books or essays without writing comments. Jot patterns on one
               sheet: common errors, strong examples, misconceptions.
            2. Next lesson, share two or three of the patterns with the class, show a
               strong example (anonymised), and model one fix.
            3. Pupils find and improve the same thing in their own work.

            ## Focus on the task, not the person

            "This paragraph needs evidence" is more useful than "You need to try harder".
            Praise effort and strategy specifically, and keep grades away from comments:
            pupils who see a grade often ignore the comment.

            ## Check it worked

            Look for the fix in the next piece of work. If it isn't there, the feedback
            didn't land.
        """,
        "try_prompt": """
            For one set of work, skip written comments. Note three common patterns on a
            single sheet, give whole-class feedback next lesson with one modelled fix, and
            give pupils ten minutes to improve their work. Compare the time it took you.
        """,
    },
    {
        "title": "Routines at the door",
        "summary": "A calm, predictable start to every lesson, greeted at the door with a "
        "task waiting, prevents more behaviour problems than any consequence.",
        "minutes": 8,
        "phases": ["secondary"],
        "subjects": ["Whole-school and pastoral"],
        "areas": ["ks3"],
        "tags": ["behaviour", "routines", "relationships"],
        "body": """
            The first two minutes of a lesson set its tone. When pupils arrive to a
            teacher at the door, a warm greeting and a clear task already on the board,
            they settle quickly. When they arrive to a teacher searching for a cable, the
            lesson starts with a battle. The EEF's guidance on improving behaviour in
            schools highlights simple, consistent routines as one of the most effective
            approaches.

            ## The routine

            1. **Stand at the door.** You can see the corridor and the room at once.
            2. **Greet each pupil**, by name if you can. A word, a nod, a "good to see
               you". Notice who seems upset.
            3. **A task on the board** that every pupil can start without help: a
               retrieval question, a picture to annotate, a sentence to finish.
            4. **Same every lesson.** Predictability is the point: pupils should not need
               telling what to do.

            ## Teach it, then keep it

            Spend time in the first weeks explaining and practising the routine. Praise
            it when it goes well. If it slips, reset it calmly rather than punishing the
            whole class.

            ## Small things that help

            - Have equipment ready before the bell so you can be at the door.
            - Catch small problems quietly at the door ("Phone away, thanks") rather than
              in front of the class.
            - For a pupil who had a hard day yesterday, a fresh start at the door matters
              more than anything you say later.
        """,
        "try_prompt": """
            With your most challenging class, greet every pupil at the door for a week
            with a do-now task on the board. Note how many minutes it takes until
            everyone is working, each day.
        """,
    },
    {
        "title": "Scaffolding talk and text for EAL learners",
        "summary": "Pupils learning English as an additional language thrive on visual "
        "support, rehearsed talk and vocabulary taught before the text.",
        "minutes": 15,
        "phases": ["primary"],
        "subjects": ["English"],
        "areas": ["ks2"],
        "tags": ["eal", "scaffolding", "vocabulary"],
        "body": """
            A pupil new to English can understand far more than they can say, and can
            think at the level of the class long before they can write it in English.
            Good scaffolding lets them take part in the real lesson, not a simpler one.

            ## Before the lesson

            - **Pre-teach key words**: choose five words the lesson depends on. Show each
              with a picture, a gesture and an example sentence. A teaching assistant can
              do this in a five-minute group.
            - **Use the home language**: a bilingual dictionary, a translation of key
              words, or a peer who shares the language. Knowledge of a concept in one
              language transfers.

            ## In the lesson

            - **Visuals everywhere**: labelled diagrams, timelines, real objects.
            - **Rehearse before writing**: talk partners and sentence frames ("First…,
              then…, finally…"), so the pupil says a sentence before writing it.
            - **Substitution tables** for writing: columns of sentence parts that
              combine into correct sentences.
            - **Don't over-simplify the thinking**. Keep the task challenging; simplify
              the language around it.

            ## Seat them well

            Next to a supportive, articulate peer, not always with the lowest
            attainers: pupils learn English from good models of it.

            ## Watch the silent period

            Many new arrivals listen for weeks before speaking. That is normal. Give ways
            to take part without speaking: pointing, sorting, drawing, and keep talking
            to them.
        """,
        "try_prompt": """
            Before your next topic, pre-teach five key words to an EAL learner with
            pictures and gestures, and give them a sentence frame for the main task. Note
            what they managed to say or write compared with the last topic.
        """,
    },
    {
        "title": "Phonics: teaching children to blend",
        "summary": "Blending sounds into words is where phonics becomes reading; a few clear "
        "routines help children who get stuck saying sounds one by one.",
        "minutes": 10,
        "phases": ["eyfs", "primary"],
        "subjects": ["Early reading and phonics"],
        "areas": ["literacy", "ks1"],
        "tags": ["phonics", "blending", "early-reading"],
        "body": """
            Knowing the sounds of letters is only half of phonics. Children must also
            blend: push the sounds together to hear a word. Some children can say
            "c–a–t" perfectly and still not hear *cat*. Blending is a skill to teach and
            practise daily, not something that simply happens.

            ## Oral blending first

            Before print, play sound games: "I spy a p–e–n." "Can you touch your
            h–ea–d?" Children who can blend sounds they hear find it much easier to blend
            sounds they read.

            ## Routines for reading words

            - **Sound buttons**: a dot under each single letter sound, a line under a
              digraph. Children touch each one as they say the sound, then sweep a
              finger underneath as they say the word.
            - **Keep the sounds short and pure**: say "mmm", not "muh". "Muh–a–t" doesn't
              blend into *mat*.
            - **Stretch continuous sounds**: "mmmaaat" keeps the sounds joined for
              children who lose them.
            - **Start with two or three sounds** and consonants like *m, s, f* that can be
              held.

            ## Little and often

            Five minutes of extra blending practice each day, in a small group, helps
            more than one long session. Use the programme's own words and routines so
            children hear the same language in every lesson.

            ## Spot the stuck

            Children still sounding out without blending after several weeks need
            prompt, daily keep-up support, not waiting.
        """,
        "try_prompt": """
            Choose three children who sound out but don't blend. For a week, give them
            five minutes a day of oral blending games and sound-button reading with
            stretched sounds. Note how many words each blends on Monday and on Friday.
        """,
    },
    {
        "title": "Visual timetables for pupils with SEND",
        "summary": "A picture timetable of the day's activities reduces anxiety, supports "
        "independence and makes transitions calmer for many pupils.",
        "minutes": 10,
        "phases": ["send", "eyfs", "primary"],
        "subjects": ["Whole-school and pastoral"],
        "areas": ["personal-social-emotional", "ks1"],
        "tags": ["send", "visual-support", "routines"],
        "body": """
            For many pupils, including many autistic pupils and those with speech,
            language and communication needs, not knowing what comes next is a source of
            real anxiety. Spoken instructions vanish as soon as they are said; a picture
            stays. A visual timetable shows the shape of the day and makes change
            predictable.

            ## Setting one up

            - **One picture per activity**: a photo of the real place or object is often
              clearer than a symbol for younger pupils.
            - **Top to bottom or left to right**, at the pupil's eye level.
            - **Finished** pocket or box: when an activity ends, the pupil removes its
              card. This marks the transition and shows progress through the day.
            - **Whole class or individual**: a class timetable helps everyone; some
              pupils need their own, smaller, at their table.

            ## Use it, every day

            A timetable on the wall that no one looks at does nothing. Refer to it at
            each transition: "Look, maths is finished. What's next?" Let the pupil check
            it themselves.

            ## Prepare for change

            Have a "change" card or a question mark for surprises: a visitor, a fire
            drill, a supply teacher. Show the change as early as you can. Changes
            prepared for are much easier than changes sprung.

            ## Now and next

            For pupils who find a whole day too much, a *now and next* board with just
            two pictures is a good start.
        """,
        "try_prompt": """
            Make a now-and-next board or individual visual timetable for one pupil who
            finds transitions hard. Use it at every transition for a week and note how
            long each transition takes, and any change in the pupil's distress.
        """,
    },
    {
        "title": "Predict, observe, explain in practical science",
        "summary": "Asking pupils to commit to a prediction before a practical, and explain "
        "the surprise afterwards, turns a demonstration into thinking.",
        "minutes": 12,
        "phases": ["primary"],
        "subjects": ["Science"],
        "areas": ["ks2"],
        "tags": ["practical-work", "predictions", "misconceptions"],
        "body": """
            Practical work is memorable, but pupils can enjoy an experiment and learn very
            little science from it. *Predict–observe–explain* (POE) makes them think
            before, during and after: they commit to what they expect, watch closely, and
            then have to make sense of what happened.

            ## The three steps

            1. **Predict.** Show the set-up and ask: "What do you think will happen, and
               why?" Pupils write or draw their prediction, with a reason. No
               predicting without a reason.
            2. **Observe.** Run the practical or demonstration. Pupils record what they
               actually see, not what they expected to see.
            3. **Explain.** Compare prediction and observation. Where they differ, that is
               the interesting bit: "What do we need to change in our thinking?"

            ## Choose a good surprise

            POE works best when many pupils' predictions will be wrong. Which falls
            first, a heavy ball or a light one? Does a metal spoon feel colder than a
            wooden one in the same room? Will a bigger ice cube in the same drink melt
            faster? Misconceptions you already know about make excellent POE tasks.

            ## Make predictions public

            Ask for a show of hands for each possible prediction before you start.
            Pupils who have committed publicly pay closer attention.

            ## Don't rush the explanation

            The talk after the observation is where the learning is. Use talk partners,
            then bring in the scientific explanation once they have tried.
        """,
        "try_prompt": """
            Turn your next practical into a POE. Record how many pupils predicted each
            outcome, and collect two pupils' explanations afterwards that show changed
            thinking.
        """,
    },
    {
        "title": "Manipulatives in primary maths: concrete to abstract",
        "summary": "Base ten, counters and bar models help children see the structure of "
        "number, when they are linked clearly to pictures and symbols.",
        "minutes": 15,
        "phases": ["primary"],
        "subjects": ["Mathematics"],
        "areas": ["ks1", "ks2"],
        "tags": ["manipulatives", "concrete-pictorial-abstract", "number-sense"],
        "body": """
            Manipulatives, the physical objects children handle in maths, can make
            abstract ideas visible: ten ones really do make a ten. The EEF's guidance on
            maths in Key Stages 2 and 3 supports their use, with a warning: the object
            must be a bridge to the maths, not a replacement for it. The *concrete,
            pictorial, abstract* approach, rooted in Jerome Bruner's work, is one way to
            build that bridge.

            ## Concrete, pictorial, abstract

            - **Concrete**: children model the problem with objects: 23 + 15 with base
              ten rods and cubes.
            - **Pictorial**: they draw what they did: sticks and dots, or a bar model.
            - **Abstract**: they write the calculation, and explain how each digit links
              to their model.

            These are not stages to pass through once. Move between them in the same
            lesson, and let children return to objects when a new idea is hard.

            ## Making them work

            - **Choose one representation and use it well**, rather than many at once.
            - **Talk about the link**: "Where is the 2 in 23 on your table?"
            - **Expect the abstract**: plan when children will write the number
              sentence, so the objects don't become a crutch.
            - **Not just for those who struggle**: older and higher-attaining pupils
              benefit from seeing structure too, for example in fractions.

            ## Practicalities

            Keep sets in trays on tables so they are part of normal lessons, not a
            special event. Agree the rules for handling them in the first lesson.
        """,
        "try_prompt": """
            Teach one calculation lesson using concrete, pictorial and abstract steps, with
            explicit "where is the 2?" questions. Collect three children's pictorial
            records and note whether they link the picture to the digits.
        """,
    },
    {
        "title": "Number talks in ten minutes",
        "summary": "A short daily discussion of one mental calculation builds number sense "
        "and shows children that there are many good ways to solve a problem.",
        "minutes": 10,
        "phases": ["primary"],
        "subjects": ["Mathematics"],
        "areas": ["ks2"],
        "tags": ["number-talks", "reasoning", "mental-maths"],
        "body": """
            In a number talk the class solves one calculation mentally, then shares and
            compares strategies. The focus is not the answer but the thinking: how did you
            do it? Is there another way? Which way is most efficient here? Ten minutes,
            most days, builds the flexible number sense that written methods alone don't.

            ## How it runs

            1. Write one calculation on the board, such as 16 × 25 or 99 + 47.
            2. Children solve it mentally. No pencils. When they have an answer, a thumb
               on their chest; for each extra strategy, another finger. This keeps fast
               thinkers busy without hands waving.
            3. Collect answers, all of them, without saying which is right.
            4. Ask children to explain their strategies. Record each one on the board,
               exactly as described.
            5. Compare: "Which way would you use for 99 + 47? Why?"

            ## Choose calculations with purpose

            Pick numbers that invite a strategy: 99 + 47 invites rounding and adjusting;
            16 × 25 invites doubling and halving. A sequence of related calculations
            across a week (15 × 4, 15 × 8, 15 × 16) builds a strategy.

            ## Your role

            Be the scribe and the questioner, not the judge. "Can someone explain Lila's
            strategy in their own words?" lets children learn from each other.

            ## Give it time

            It can take weeks before the quieter children join in. Thumb signals and talk
            partners help.
        """,
        "try_prompt": """
            Run a ten-minute number talk three times this week with one calculation each
            day, recording every strategy on the board. Note how many different children
            explained a strategy on the first day and on the third.
        """,
    },
    {
        "title": "Mini whiteboards: everyone answers",
        "summary": "Mini whiteboards let every pupil answer at once, so you can see the whole "
        "class's understanding in a glance and respond there and then.",
        "minutes": 8,
        "phases": ["secondary"],
        "subjects": ["Mathematics"],
        "areas": ["ks3"],
        "tags": ["assessment-for-learning", "mini-whiteboards", "participation"],
        "body": """
            Asking a question and taking one answer tells you what one pupil thinks.
            Asking the same question and seeing thirty answers on mini whiteboards tells
            you what the class thinks. It's one of the cheapest and most powerful tools in
            a classroom, as long as it is run with a tight routine.

            ## A routine that works

            1. **Ask** the question. Pupils write their answer.
            2. **"Boards down"** (face down) while they think, so no one copies.
            3. **"Three, two, one, show me"**: everyone holds up at the same time.
            4. **Scan** the room. Look for patterns, not individuals.
            5. **Respond**: "Most of you have 12. I can see some 7s: let's look at why
               7 is tempting."

            ## Make the answers quick to read

            Short answers (a number, a word, a letter for multiple choice) can be scanned
            in seconds. Long answers are for books.

            ## Act on what you see

            The boards are only useful if what you see changes what you do. If most are
            right, move on. If many are wrong, reteach now. If a few are wrong, note the
            names and go to them while the others start the next task.

            ## Practicalities

            Pens with lids, a cloth or sock each, boards handed out by table monitors.
            Agree the routine in the first lesson and keep it the same, or the boards
            become a distraction.
        """,
        "try_prompt": """
            Use mini whiteboards with show-me-together for five questions in one lesson.
            After each, write down what you saw and what you decided to do next; count how
            often it changed your plan.
        """,
    },
    {
        "title": "Teaching tier 2 vocabulary",
        "summary": "Words like 'significant', 'consequence' and 'contrast' unlock academic "
        "texts in every subject; teaching a few of them deeply pays off.",
        "minutes": 12,
        "phases": ["secondary"],
        "subjects": ["English", "History"],
        "areas": ["ks3"],
        "tags": ["vocabulary", "disciplinary-literacy", "reading"],
        "body": """
            Beck, McKeown and Kucan's three tiers are a useful way to think about words.
            Tier 1 words are everyday ones pupils pick up in conversation. Tier 3 words
            are subject terms (*photosynthesis*, *feudalism*) that teachers usually teach.
            Tier 2 words, such as *significant*, *reluctant*, *consequence*, *contrast*,
            appear across subjects in written texts but rarely in speech. They are where
            many pupils lose their grip on what they read, and they are often not taught
            at all.

            ## Choose a few words, teach them well

            Pick three or four tier 2 words from the text pupils will read. For each:

            - **Say it** and have pupils say it back.
            - **Give a pupil-friendly definition**: "*Reluctant* means not wanting to do
              something."
            - **Show it in context**: in the text, and in a second, different sentence.
            - **Ask pupils to use it**: "Tell your partner about a time you were
              reluctant to do something."
            - **Look at the word's parts** when useful: *con-sequence*, what follows.

            ## Return to the words

            One exposure isn't enough. Use the words in questions, starters and
            feedback over the following weeks. Put them on a working wall and expect
            them in writing.

            ## Across a department

            Agree a short list of tier 2 words for each unit, so pupils meet them in
            more than one lesson.
        """,
        "try_prompt": """
            Choose three tier 2 words from a text your class will read. Teach them with the
            say–define–context–use routine before reading, then count how often pupils use
            them in writing over the next two weeks.
        """,
    },
    {
        "title": "Questioning sources like a historian",
        "summary": "Teach pupils to ask who made a source, when and why, before they use it "
        "as evidence, so that source work becomes real historical thinking.",
        "minutes": 15,
        "phases": ["secondary"],
        "subjects": ["History"],
        "areas": ["ks3"],
        "tags": ["disciplinary-knowledge", "sources", "evidence"],
        "body": """
            Pupils often treat a historical source as a window on the past: "The source
            says the workers were happy, so they were." Historians treat it as a trace
            left by someone, for a purpose. Teaching pupils to question sources is
            teaching them how history is made.

            ## Start with provenance

            Before reading the content, ask about the source itself:

            - **Who** made it? What do we know about them?
            - **When**: at the time, or years later?
            - **Why** was it made, and for whom? A private diary, a newspaper, a
              government poster?

            Make this a routine with the same questions every time, so pupils expect it.

            ## Then ask what it can tell us

            Shift the question from "Is it reliable?" to "What is it useful for?" A
            propaganda poster is unreliable about conditions in a factory but very useful
            about what the government wanted people to believe. This is the move that
            lifts pupils' answers.

            ## Knowledge matters

            Pupils can't judge a source without knowing its context. A source on the
            Blitz makes sense only if pupils know about censorship and morale. Teach the
            context before the source task, not after.

            ## Model it

            Annotate a source live under a visualiser, thinking aloud: "It's from 1941,
            during the war, so I'd expect…" Then pupils do the next one in pairs.
        """,
        "try_prompt": """
            Model the who–when–why routine on one source, then have pupils use it on a
            second in pairs. Compare how many pupils say what a source is useful for,
            not just whether it is reliable, with their last source task.
        """,
    },
    {
        "title": "Sustained shared thinking in the early years",
        "summary": "Joining a child's play and thinking alongside them, with genuine "
        "questions and wondering aloud, extends their language and ideas.",
        "minutes": 12,
        "phases": ["eyfs"],
        "subjects": [],
        "areas": ["communication-language", "understanding-the-world"],
        "tags": ["play", "early-language", "interactions"],
        "body": """
            The Effective Provision of Pre-school Education (EPPE) project found that in
            the most effective settings adults and children often worked together to
            solve a problem, clarify an idea or extend a story: *sustained shared
            thinking*. Both contribute to the thinking, and it carries on over several
            exchanges instead of ending with one question and one answer.

            ## What it looks like

            A child is building a ramp for cars. Rather than "What colour is your car?",
            the adult kneels down, watches, and says: "I wonder why that car went
            further." The child tries again. "What could we change?" Five minutes later
            they are testing heights together.

            ## Moves that help

            - **Tune in**: watch and listen before you speak. What is the child trying to
              do?
            - **Wonder aloud**: "I wonder what would happen if…"
            - **Ask genuine questions**, ones you don't know the answer to.
            - **Offer your own ideas** as suggestions, not instructions.
            - **Give time**: pause, and let the child lead.
            - **Recap**: "So you found that the higher ramp made it go faster."

            ## What gets in the way

            Too many questions in a row ("What's that? What colour? How many?") feel
            like a test and shut the conversation down. So does taking over the play.

            ## Make room for it

            Sustained shared thinking needs adults who are free to stay in one place.
            Plan who covers what during continuous provision so that someone can.
        """,
        "try_prompt": """
            During continuous provision, join one child's play for at least five minutes
            using wondering aloud and genuine questions only. Afterwards, jot down how
            many exchanges the conversation lasted and one idea the child offered.
        """,
    },
    {
        "title": "Subitising: seeing how many without counting",
        "summary": "Recognising small quantities at a glance is a foundation of number sense; "
        "quick games with dots, fingers and dice build it in the early years.",
        "minutes": 10,
        "phases": ["eyfs"],
        "subjects": ["Mathematics"],
        "areas": ["eyfs-mathematics"],
        "tags": ["subitising", "number-sense", "early-maths"],
        "body": """
            Subitising is recognising how many things there are without counting them:
            seeing three dots on a dice as "three" straight away. It's part of the EYFS
            early learning goals for a reason: children who subitise are beginning to
            see numbers as wholes made of parts, which supports later addition and
            subtraction.

            ## Two kinds

            - **Perceptual subitising**: recognising up to about four or five objects at a
              glance.
            - **Conceptual subitising**: seeing a larger quantity as parts: "I see three
              and three, so six."

            ## Quick games

            - **Flash dots**: show a card with dots for two seconds, hide it, ask "How
              many? How did you see them?"
            - **Fingers**: "Show me four", without counting fingers up one at a time.
            - **Dice patterns**: play games with dice and dominoes, and talk about the
              patterns.
            - **Hidden objects**: put a few counters under a cup, lift it briefly, cover
              again.

            ## Talk about the seeing

            The question "How did you see it?" matters more than the answer. Some
            children see two and two, some see a square. Sharing these builds
            conceptual subitising.

            ## Vary the arrangements

            Children who only meet dice patterns may not recognise three dots in a line.
            Mix regular patterns, random arrangements and objects in real life: apples
            in a bowl, children in a line.
        """,
        "try_prompt": """
            Play flash dots with a small group for five minutes on three days, asking
            "How did you see it?" each time. Note which quantities each child recognises
            without counting on the first day and on the third.
        """,
    },
    {
        "title": "Shorter instructions in PE: show, then go",
        "summary": "Cut talk at the start of a PE task to under a minute with a clear "
        "demonstration, and pupils spend more of the lesson actually moving.",
        "minutes": 8,
        "phases": ["primary"],
        "subjects": ["Physical education"],
        "areas": ["ks2"],
        "tags": ["instructions", "demonstration", "physical-activity"],
        "body": """
            In many PE lessons, pupils spend a surprising share of the time sitting and
            listening. Long verbal explanations lose children quickly, especially outside
            or in an echoing hall. A short demonstration and one or two key points get
            everyone moving sooner, and you can teach more once they are.

            ## Show, then go

            1. **Gather them close**, with their backs to the sun or distractions.
            2. **Demonstrate** the skill or game yourself, or with a pupil. Show it
               twice, once at normal speed and once slowly.
            3. **Give one or two teaching points**, in a few words: "Eyes on the ball.
               Step with the opposite foot."
            4. **Check**: "Show me with your hands where the ball goes." Then go.

            Aim for under a minute from gathering to moving.

            ## Teach while they play

            Once pupils are active, circulate and give short, individual feedback. If
            the same problem appears in many groups, freeze the whole class for a
            20-second reminder, then restart.

            ## Routines save the most time

            Teach signals once and use them every lesson: a whistle means freeze and
            look; "equipment down" means balls on the floor. Decide how groups and
            equipment will be set up before the lesson.

            ## Check the balance

            Ask a colleague or teaching assistant to estimate how much of a lesson
            pupils spent active. It is often less than we think.
        """,
        "try_prompt": """
            For one PE lesson, keep every explanation under a minute with a demonstration
            and at most two teaching points. Time how long pupils are active and compare
            it with a usual lesson.
        """,
    },
    {
        "title": "PRIMM: reading code before writing it",
        "summary": "Predict, Run, Investigate, Modify, Make: a structure for programming "
        "lessons that builds understanding before pupils write code from scratch.",
        "minutes": 15,
        "phases": ["secondary"],
        "subjects": ["Computing"],
        "areas": ["ks3"],
        "tags": ["programming", "primm", "computing"],
        "body": """
            When beginners are asked to write programs straight away, many copy examples
            they don't understand and get stuck at the first error. PRIMM, developed by
            Sue Sentance and colleagues, starts with *reading* code, much as children
            read before they write, and builds up to writing in small steps.

            ## The five stages

            1. **Predict**: give pupils a short working program. In pairs, they predict
               what it will do, and write down their prediction.
            2. **Run**: they run it and compare with their prediction.
            3. **Investigate**: questions that make them look closely: "What would happen
               if line 3 said 10? Which line repeats? Trace the value of `total`."
            4. **Modify**: small changes to make it do something slightly different.
            5. **Make**: a new program using the same ideas, now with understanding.

            ## Why it works

            Predicting makes pupils read code carefully. Running it gives immediate
            feedback on their mental model of the program. Modifying working code is
            less daunting than a blank screen, and errors are easier to trace.

            ## Tips

            - Keep the starter programs short: ten lines or fewer for novices.
            - Use pairs and talk: "Explain to your partner what line 4 does."
            - Don't skip Investigate. It's where most of the understanding comes from.
            - Share programs as files, not screenshots, so pupils can run them.
        """,
        "try_prompt": """
            Plan one programming lesson as PRIMM with a program of ten lines or fewer.
            Collect pupils' written predictions and note how many were right, and how
            many pupils completed the Modify task without help.
        """,
    },
    {
        "title": "Comprehensible input in language lessons",
        "summary": "Pupils acquire a language by understanding lots of it; slow, gestured, "
        "repeated target language makes the lesson itself the input.",
        "minutes": 12,
        "phases": ["secondary"],
        "subjects": ["Languages"],
        "areas": ["ks3"],
        "tags": ["languages", "comprehensible-input", "listening"],
        "body": """
            Stephen Krashen argued that we acquire languages by understanding messages in
            them, input that is comprehensible and slightly beyond what we already know.
            Researchers debate the details, but the practical message is widely shared:
            pupils need lots of language they understand, not just lists of words and
            grammar rules.

            ## Make your target language understandable

            - **Slow down** and pause between phrases.
            - **Gesture, point and draw**: every new word with an action or a picture.
            - **Repeat** key structures many times, in slightly different sentences.
            - **Check understanding often**: thumbs up or down, "Is it true or false?",
              quick questions pupils can answer with one word.
            - **Stay in the language** most of the time, and use English briefly when
              meaning would otherwise be lost.

            ## Activities that give lots of input

            - **Stories**: a short story told with pictures, with pupils helping to decide
              what happens next.
            - **Talking about pupils**: "Who has a dog? Sam has a dog! Does Sam's dog
              sleep on the bed?" Personal questions are interesting, so pupils listen.
            - **Reading** short, easy texts with lots of repetition.

            ## Output comes later

            Don't expect fluent speaking straight away. Many pupils understand far more
            than they can say. Simple responses (yes or no, one word, pointing) keep
            everyone involved.
        """,
        "try_prompt": """
            Teach one new structure with gesture and a ten-minute personalised
            question-and-answer in the target language, checking understanding with
            thumbs every minute. Note how many pupils could use the structure at the end.
        """,
    },
    {
        "title": "Self-explanation and 'why' questions for sixth formers",
        "summary": "Asking students to explain why a fact is true, or how each step of a "
        "solution works, makes revision deeper than rereading notes.",
        "minutes": 12,
        "phases": ["post-16"],
        "subjects": ["Science"],
        "areas": ["ks5"],
        "tags": ["metacognition", "independent-study", "revision"],
        "body": """
            Dunlosky and colleagues' 2013 review of learning techniques rated two related
            strategies as moderately useful: *elaborative interrogation* (asking "Why is
            this true?") and *self-explanation* (explaining how a new idea relates to what
            you know, or why each step of a solution follows). Both are easy to teach and
            suit the independent study sixth formers need to do.

            ## Elaborative interrogation

            When students meet a fact ("Enzymes denature at high temperatures"), they ask
            and answer "Why?": because the bonds holding the active site's shape break, so
            the substrate no longer fits. Shallow facts become connected explanations.

            ## Self-explanation

            With a worked solution, students explain each step to themselves or a
            partner: "We square this because…", "This follows from the previous line
            because…" Where they can't explain a step, they have found a gap.

            ## Building the habit

            - **Model it** with a worked example, thinking aloud.
            - **Use prompt cards**: "Why does this make sense?", "How does this link to…?",
              "What would happen if…?"
            - **Pair it with retrieval**: students explain from memory, then check their
              notes.
            - **Set it as homework**: "Write five why-questions about today's topic and
              answer them without your notes."

            ## A caution

            These work best when students know enough to give a good answer. For brand-new
            material, teach first, then ask why.
        """,
        "try_prompt": """
            Give students a worked exam solution and ask them to annotate each step with a
            "because…" in pairs. Note which step most pairs could not explain, and reteach
            it next lesson.
        """,
    },
    {
        "title": "Chunking instructions and giving processing time",
        "summary": "Breaking instructions into small steps, showing them as well as saying "
        "them, and waiting helps pupils with SEND and benefits the whole class.",
        "minutes": 10,
        "phases": ["send", "secondary"],
        "subjects": ["Whole-school and pastoral"],
        "areas": ["ks3", "ks4"],
        "tags": ["send", "instructions", "working-memory"],
        "body": """
            "Get your books out, turn to page 42, do questions 1 to 5, and when you've
            finished, check with your partner." That is four instructions at once. For a
            pupil with working memory difficulties, language needs or ADHD, most of it is
            gone before they have opened their bag. What looks like not listening is
            often not being able to hold it all.

            ## Chunk it

            - **One instruction at a time**, in the order pupils will do it.
            - **Short, clear sentences** with the key word first: "Books out."
            - **Check** that the first step is done before giving the next.

            ## Show as well as say

            Put the steps on the board as a numbered list, with a small picture for each
            if pupils need it. A pupil who loses track can look back rather than ask, or
            copy someone, or give up.

            ## Give processing time

            Some pupils need several seconds to process a question or instruction before
            they can act on it. If you repeat or rephrase immediately, they have to start
            again. Wait. If you need to repeat, use the same words.

            ## It helps everyone

            These adjustments are essential for some pupils and useful for all. The
            EEF's guidance on SEND in mainstream schools describes strategies like these
            as part of high-quality teaching for everyone, not an extra for a few.

            ## Check individual plans

            A pupil's support plan may say what works for them. Read it and ask them.
        """,
        "try_prompt": """
            For one week, give instructions to one class one step at a time, with the
            steps numbered on the board. Note how often pupils ask "What are we doing?"
            compared with the week before.
        """,
    },
    {
        "title": "Exit tickets that shape tomorrow's lesson",
        "summary": "One or two questions at the end of a lesson, read in five minutes, tell "
        "you what to do at the start of the next one.",
        "minutes": 8,
        "phases": ["secondary"],
        "subjects": ["Whole-school and pastoral"],
        "areas": ["ks3", "ks4"],
        "tags": ["assessment-for-learning", "exit-tickets", "planning"],
        "body": """
            An exit ticket is a short task pupils complete at the end of a lesson, on a
            slip of paper or a sticky note, before they leave. It tells you who has
            understood the key idea today, while there is still time to act on it
            tomorrow.

            ## Keep it small

            - **One or two questions**, on the most important idea of the lesson.
            - **Answerable in three minutes.**
            - **Designed to show misconceptions**: a question that can be answered
              correctly only with understanding. A multiple-choice hinge-style question
              works well.

            ## Sort, don't mark

            After the lesson, sort the tickets into three piles: *got it*, *nearly*, *not
            yet*. That takes five minutes for a class. No comments, no marks.

            ## Use the piles

            - **Mostly *got it***: move on, with a quick retrieval question next lesson.
            - **Many *not yet***: reteach at the start of the next lesson, differently.
            - **A few *not yet***: work with them first while others start a task.

            Pupils should see that their answers change what happens: "Yesterday's
            tickets showed me lots of you mixed up X and Y, so we're starting there."

            ## Avoid

            "What did you learn today?" or a thumbs-up rating of understanding. Pupils
            are poor judges of their own understanding; a real question tells you more.
        """,
        "try_prompt": """
            End three lessons with a one-question exit ticket on the key idea. Sort each
            set into three piles and start the next lesson from what you found. Note how
            long the sorting took.
        """,
    },
    {
        "title": "Call-and-response singing to start the day",
        "summary": "A few minutes of echo songs build listening, memory and a sense of "
        "togetherness, and need no musical training to lead.",
        "minutes": 8,
        "phases": ["eyfs", "primary"],
        "subjects": ["Music"],
        "areas": ["expressive-arts-design", "ks1"],
        "tags": ["singing", "listening", "transitions"],
        "body": """
            Call-and-response singing, where the leader sings a line and the group echoes
            it, is found in musical traditions all over the world. In a classroom it does
            several jobs at once: children practise listening carefully, holding a phrase
            in memory and matching pitch, and the group finds a shared rhythm. It is also
            a calm way to gather a class.

            ## You don't need to be a musician

            Choose short, simple songs with a small range of notes. Sing confidently, even
            if you don't think you sing well: children respond to enthusiasm, not
            perfection. Many schools have a bank of echo songs or recordings to learn
            from.

            ## Running it

            1. **Sing a short phrase** and gesture for the class to echo.
            2. **Keep a steady beat**, clapping or tapping knees.
            3. **Change one thing at a time**: louder, quieter, faster, slower, higher.
               Children must listen to copy.
            4. **Hand over**: once a song is known, a child leads the call.

            ## Use it for transitions

            A known echo song is a gentle signal: start singing and the class joins in
            as they tidy and gather. It avoids raised voices.

            ## Include everyone

            Add actions for children who aren't ready to sing, and signs for key words.
            Children learning English often join in songs before they speak in class.
        """,
        "try_prompt": """
            Teach one echo song and use it at the start of each day for a week, handing the
            call to a child by Friday. Note how quickly the class gathers when you start it,
            and who joins in.
        """,
    },
    {
        "title": "Ground rules for safe discussion in PSHE",
        "summary": "Agreeing ground rules with the class, and using distancing techniques, "
        "lets pupils discuss sensitive topics honestly and safely.",
        "minutes": 10,
        "phases": ["secondary"],
        "subjects": ["PSHE and RSHE"],
        "areas": ["ks3", "ks4"],
        "tags": ["pshe", "safe-discussion", "relationships"],
        "body": """
            PSHE and RSHE lessons cover topics that matter deeply to pupils: relationships,
            mental health, consent, drugs, online safety. Pupils will only talk openly if
            the classroom feels safe. Ground rules and distancing techniques, recommended
            widely in PSHE guidance, are the foundation.

            ## Agree ground rules together

            In the first lesson, ask the class what would help everyone feel able to
            speak. Shape their ideas into a few rules, such as:

            - We listen to each other and don't interrupt.
            - We don't share personal stories about ourselves or others by name.
            - We can pass if we don't want to answer.
            - We challenge ideas, not people.
            - Questions are welcome, and can be asked anonymously.

            Display them and refer to them at the start of every lesson on a sensitive
            topic.

            ## Use distancing

            Discussing a fictional character's situation ("What could Jay do? What advice
            would you give?") lets pupils explore an issue without revealing their own
            experience. Case studies, stories and scenarios all work.

            ## An anonymous question box

            Pupils put questions in a box, at the end of every lesson, everyone writing
            something, even "no question", so no one stands out. Answer them next lesson.

            ## Know the limits

            Explain that you can't keep everything confidential: if a pupil says they or
            someone else may be at risk, you must pass it on. Know your school's
            safeguarding procedure before the lesson.
        """,
        "try_prompt": """
            Agree ground rules with a class before a sensitive topic, use a fictional
            scenario for the main discussion, and run an anonymous question box. Note how
            many pupils contributed and what kinds of questions came in.
        """,
    },
]


# A few improvement priorities for the demo schools, by school name (as in seed_demo).
PRIORITIES = {
    "Riverside Primary School": [
        (
            "Oracy: talk that builds thinking and writing",
            """
            This year we want every child to **talk in full, reasoned sentences** across
            the curriculum, not only in English.

            - Talk partners in every class, with roles.
            - Sentence stems on the wall for building on and challenging ideas.
            - Talk before writing: children say a sentence before they write it.

            Link an inquiry cycle here if you are trying anything that gets children
            talking more, or better. Share what you find, however small.
            """,
        ),
        (
            "Early reading: every child a reader",
            """
            Keep-up, not catch-up: children who fall behind in phonics get help the same
            day. We are also building **reading for pleasure**: daily story time, and book
            talk in every class.

            Cycles on phonics, blending, dialogic reading or story time belong here.
            """,
        ),
    ],
    "Hillcrest Academy": [
        (
            "Responsive teaching: checking for understanding",
            """
            We want to know, in every lesson, what pupils have understood, and **act on
            it there and then**: hinge questions, mini whiteboards, exit tickets.

            Departments will share what works in their subject at our half-termly CPD
            sessions. Link your cycle if you are trying any of these.
            """,
        ),
        (
            "Calm starts to every lesson",
            """
            A greeting at the door, a task on the board, the same routine in every room.
            Link cycles about lesson starts, routines and transitions.
            """,
        ),
    ],
    "Nairobi Hills School": [
        (
            "Group work where everyone thinks",
            """
            Large classes make group work hard. We want structures that give **every
            student a role** and something to say: think-pair-share, roles in groups,
            and reporting back by a chosen member.
            """,
        ),
    ],
}


def modules() -> list[dict]:
    """The demo modules, fresh dicts each call, with a slug and tidy Markdown."""
    return [
        {
            **module,
            "slug": slugify(module["title"]),
            "body": _md(module["body"]),
            "try_prompt": _md(module["try_prompt"]),
            "phases": list(module["phases"]),
            "subjects": list(module["subjects"]),
            "areas": list(module["areas"]),
            "tags": list(module["tags"]),
        }
        for module in MODULES
    ]


def seed_priorities(schools_by_name: dict[str, School], lead: User) -> list[SchoolPriority]:
    """The demo schools' priorities, published by `lead` (network staff, or a lead of each
    school) through the service. A priority already there (same title) is left alone, so
    seed_demo can run again. Schools not in `schools_by_name` are skipped."""
    made = []
    for name, rows in PRIORITIES.items():
        school = schools_by_name.get(name)
        if school is None:
            continue
        for title, description in rows:
            exists = SchoolPriority.objects.filter(school=school, title__iexact=title).exists()
            if not exists:
                made.append(
                    priorities_service.create_priority(
                        actor=lead, school=school, title=title, description=_md(description)
                    )
                )
    return made
