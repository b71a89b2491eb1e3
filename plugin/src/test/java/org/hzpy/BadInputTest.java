package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The bad-input matrix (docs/reliability.md, "Bad inputs"): each case gives a real member one bad
 * or odd input and asserts exactly what comes back — the exception type and a message that names
 * the culprit, or the exact result — and then that the member is healthy: every context serves a
 * trivial call and no permit is held. Helpers are in pymodules/hostile.py.
 */
@ExtendWith(Invariants.class)
class BadInputTest {
    /** Big values are not refused: 20 MB strings and bytes arrive whole, both ways. */
    private static final int BIG = 20_000_000;

    /** Which shared member a case runs on: exec only on the hardening member (it grows the exec log). */
    enum On { ISOLATED, HARDENING }

    /** One bad input and what must come of it. */
    @FunctionalInterface
    interface Check {
        void run(Py py) throws Exception;
    }

    record Case(On on, Check check) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInput(Case c) throws Exception {
        Py py = TestMembers.py(c.on() == On.HARDENING ? TestMembers.hardening() : TestMembers.isolated());

        c.check().run(py);

        assertHealthy(py);
    }

    /** Every context of the member serves a trivial call, and no permit is held. */
    private static void assertHealthy(Py py) {
        for (int i = 0; i < py.contexts().numContexts(); i++) {
            assertThat(TestMembers.inContext(py, i, () -> py.call(PyCall.of("hostile", "ping")
                    .timeout(Duration.ofSeconds(20))))).as("context %d serves a call", i).isEqualTo("pong");
        }
        assertThat(py.semaphore().current()).as("permits held").isZero();
    }

    static Stream<Named<Case>> cases() {
        return Stream.of(
                // ---------------------------------------------------------------- code that does not compile
                on(On.HARDENING, "syntaxErrorInExec_isSyntaxError_namingTheLine_andRunsNothing", py -> {
                    PythonException e = pythonError(() -> py.exec("bad_input_exec_ran = 1\ndef broken(:\n    pass"),
                            "SyntaxError", "'(' was never closed (<hzpy exec>, line 2)");
                    assertThat(e.traceback()).contains("def broken(:");
                    for (int i = 0; i < py.contexts().numContexts(); i++) {
                        assertThat(TestMembers.inContext(py, i, () -> py.eval("'bad_input_exec_ran' in globals()")))
                                .isEqualTo(false);
                    }
                }),
                on(On.ISOLATED, "syntaxErrorInEval_isSyntaxError", py ->
                        pythonError(() -> py.eval("1 +"), "SyntaxError", "invalid syntax (<hzpy eval>, line 1)")),
                on(On.ISOLATED, "statementInEval_isSyntaxError", py ->
                        pythonError(() -> py.eval("x = 1"), "SyntaxError", "invalid syntax (<hzpy eval>, line 1)")),
                on(On.ISOLATED, "emptyOrCommentOnlyEval_isSyntaxError", py -> {
                    pythonError(() -> py.eval(""), "SyntaxError", "invalid syntax (<hzpy eval>, line 1)");
                    pythonError(() -> py.eval("# nothing"), "SyntaxError", "invalid syntax (<hzpy eval>, line 1)");
                }),
                on(On.HARDENING, "emptyOrCommentOnlyExec_isANoOp", py -> {
                    py.exec("");
                    py.exec("# only a comment\n");
                }),
                on(On.ISOLATED, "syntaxErrorInImportedModule_isSyntaxError_namingItsFileAndLine", py -> {
                    PythonException e = pythonError(() -> TestMembers.inContext(py, 0, () -> {
                        py.call("hostile", "ping"); // hostile serves hostile_syntax's source to the import machinery
                        return py.call("hostile_syntax", "broken");
                    }), "SyntaxError", "'(' was never closed (<virtual hostile_syntax.py>, line 2)");
                    assertThat(e.traceback()).contains("def broken(:");
                }),
                on(On.ISOLATED, "moduleRaisingAtImport_failsAlikeOnEveryCall_andIsNeverHalfImported", py -> {
                    for (int i = 0; i < 2; i++) {
                        PythonException e = pythonError(() -> TestMembers.inContext(py, 0, () -> {
                            py.call("hostile", "ping");
                            return py.call("hostile_raises", "x");
                        }), "RuntimeError", "hostile_raises fails at import");
                        assertThat(e.traceback()).contains("<virtual hostile_raises.py>\", line 2, in <module>");
                        assertThat(TestMembers.inContext(py, 0, () -> py.call("hostile", "is_imported", "hostile_raises")))
                                .isEqualTo(false);
                    }
                }),

                // ---------------------------------------------------------------- names that do not resolve
                on(On.ISOLATED, "unknownModule_isModuleNotFoundError_namingIt", py ->
                        pythonError(() -> py.call("bad_input_no_such_module", "f"),
                                "ModuleNotFoundError", "No module named 'bad_input_no_such_module'")),
                on(On.ISOLATED, "unknownFunction_isAttributeError_namingModuleAndFunction", py ->
                        pythonError(() -> py.call("hostile", "no_such_function"),
                                "AttributeError", "module 'hostile' has no attribute 'no_such_function'")),
                on(On.ISOLATED, "unknownFunctionInMain_isAttributeError_namingIt", py ->
                        pythonError(() -> py.call("__main__", "bad_input_never_defined"),
                                "AttributeError", "module '__main__' has no attribute 'bad_input_never_defined'")),
                on(On.ISOLATED, "dottedFunctionName_isOneAttributeName_notAPath", py ->
                        pythonError(() -> py.call("hostile", "Holder.method"),
                                "AttributeError", "module 'hostile' has no attribute 'Holder.method'")),
                on(On.ISOLATED, "dottedModuleName_importsTheSubmodule", py ->
                        assertThat(py.call("os.path", "join", "a", "b")).isEqualTo("a/b")),
                on(On.ISOLATED, "nonCallableAttribute_isTypeError", py ->
                        pythonError(() -> py.call("hostile", "NOT_CALLABLE"), "TypeError", "'int' object is not callable")),
                on(On.ISOLATED, "relativeModuleName_isValueError", py ->
                        pythonError(() -> py.call(".hostile", "ping"), "ValueError", "Empty module name")),
                on(On.ISOLATED, "nulCharacterInNames_isNotFound_namingTheExactName", py -> {
                    pythonError(() -> py.call("hos\0tile", "ping"), "ModuleNotFoundError", "No module named 'hos\\x00tile'");
                    pythonError(() -> py.call("hostile", "pi\0ng"), "AttributeError", "module 'hostile' has no attribute 'pi\0ng'");
                }),

                // ---------------------------------------------------------------- arguments that do not fit
                on(On.ISOLATED, "tooFewArguments_isTypeError_namingTheMissingParameter", py ->
                        pythonError(() -> py.call("hostile", "arity"),
                                "TypeError", "arity() missing 1 required positional argument: 'a'")),
                on(On.ISOLATED, "tooManyArguments_isTypeError_sayingHowMany", py ->
                        pythonError(() -> py.call("hostile", "arity", 1, 2, 3),
                                "TypeError", "arity() takes from 1 to 2 positional arguments but 3 were given")),
                on(On.ISOLATED, "unknownKeyword_isTypeError_namingIt", py ->
                        pythonError(() -> py.call(PyCall.of("hostile", "arity", 1).kwargs(Map.of("nope", 1))),
                                "TypeError", "arity() got an unexpected keyword argument 'nope'")),
                on(On.ISOLATED, "keywordAlsoGivenPositionally_isTypeError_namingIt", py ->
                        pythonError(() -> py.call(PyCall.of("hostile", "arity", 1).kwargs(Map.of("a", 1))),
                                "TypeError", "arity() got multiple values for argument 'a'")),
                on(On.ISOLATED, "positionalOnlyParameterByKeyword_isTypeError_namingIt", py ->
                        pythonError(() -> py.call(PyCall.of("hostile", "positional_only").kwargs(Map.of("a", 1, "b", 2))),
                                "TypeError", "positional_only() got some positional-only arguments passed as keyword arguments: 'a'")),
                on(On.ISOLATED, "keywordNamesThatAreNotIdentifiers_reachKwargsExactly", py -> {
                    Map<String, Object> kw = new LinkedHashMap<>();
                    kw.put("not valid", 1L);
                    kw.put("größe", 2L);
                    kw.put("a-b", 3L);
                    assertThat(py.call(PyCall.of("hostile", "keywords").kwargs(kw))).isEqualTo(kw);
                }),
                on(On.ISOLATED, "tenThousandArguments_arePassed", py ->
                        assertThat(py.call("hostile", "types_of", new Object[10_000]))
                                .isEqualTo(Collections.nCopies(10_000, "NoneType"))),

                // ---------------------------------------------------------------- nulls
                on(On.ISOLATED, "nullModuleOrFunctionName_isNullPointerException_namingIt", py -> {
                    assertThrown(() -> py.call(null, "ping"), NullPointerException.class, "module");
                    assertThrown(() -> py.call("hostile", null), NullPointerException.class, "function");
                }),
                on(On.ISOLATED, "blankModuleOrFunctionName_isIllegalArgument_namingIt", py -> {
                    assertThrown(() -> py.call("", "ping"), IllegalArgumentException.class, "module must not be blank");
                    assertThrown(() -> py.call("hostile", " \t"), IllegalArgumentException.class, "function must not be blank");
                }),
                on(On.ISOLATED, "nullArguments_becomeNone", py ->
                        assertThat(py.call("hostile", "types_of", "a", null, 1)).isEqualTo(List.of("str", "NoneType", "int"))),
                on(On.ISOLATED, "nullVarargsArray_isOneNoneArgument", py ->
                        assertThat(py.call("hostile", "type_of", (Object[]) null)).isEqualTo("NoneType")),
                on(On.ISOLATED, "nullKeywordName_isNullPointerException_namingIt", py -> {
                    Map<String, Object> kw = new HashMap<>();
                    kw.put(null, 1);
                    assertThrown(() -> PyCall.of("hostile", "keywords").kwargs(kw), NullPointerException.class,
                            "keyword argument name");
                    assertThrown(() -> PyCall.of("hostile", "keywords").kwargs(null), NullPointerException.class, "kwargs");
                }),
                on(On.ISOLATED, "nullKeywordValueAndNullMapKey_becomeNone_andComeBackAsNull", py -> {
                    Map<String, Object> kw = new HashMap<>();
                    kw.put("k", null);
                    assertThat(py.call(PyCall.of("hostile", "keywords").kwargs(kw))).isEqualTo(kw);
                    Map<Object, Object> nullKey = new HashMap<>();
                    nullKey.put(null, "v");
                    assertThat(py.call("hostile", "echo", nullKey)).isEqualTo(nullKey);
                }),
                on(On.ISOLATED, "nullExpressionCodeOrCall_isNullPointerException_namingIt", py -> {
                    assertThrown(() -> py.eval(null), NullPointerException.class, "expression");
                    assertThrown(() -> py.exec(null), NullPointerException.class, "code");
                    assertThrown(() -> py.call((PyCall) null), NullPointerException.class, "call");
                    assertThrown(() -> py.callAsync(null), NullPointerException.class, "call");
                }),

                // ---------------------------------------------------------------- results Java cannot hold
                on(On.ISOLATED, "objectReturned_isConversionError_namingItsClass", py ->
                        conversionError(() -> py.call("hostile", "thing"), "cannot convert Python hostile.Thing to Java")),
                on(On.ISOLATED, "functionReturned_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "function"), "cannot convert Python function to Java")),
                on(On.ISOLATED, "moduleReturned_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "module"), "cannot convert Python module to Java")),
                on(On.ISOLATED, "classReturned_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "klass"), "cannot convert Python type to Java")),
                on(On.ISOLATED, "fileLikeReturned_isConversionError_namingItsClass", py ->
                        conversionError(() -> py.call("hostile", "file_like"), "cannot convert Python _io.StringIO to Java")),
                on(On.ISOLATED, "generatorReturned_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "generator"), "cannot convert Python generator to Java")),
                on(On.ISOLATED, "closedCoroutineReturned_failsAsTheRuntimeErrorOfRunningIt", py -> // (a coroutine is run: AsyncioTest)
                        assertThat(catchThrowable(() -> py.call("hostile", "coroutine"))).isInstanceOfSatisfying(PythonException.class,
                                e -> assertThat(e.pythonType()).isEqualTo("RuntimeError"))),
                on(On.ISOLATED, "exceptionReturnedNotRaised_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "exception_instance"), "cannot convert Python ValueError to Java")),
                on(On.ISOLATED, "complexNumberReturned_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "complex_number"), "cannot convert Python complex to Java")),
                on(On.ISOLATED, "memoryviewReturned_isConversionError", py ->
                        conversionError(() -> py.eval("memoryview(b'x')"), "cannot convert Python memoryview to Java")),
                on(On.ISOLATED, "objectInsideAList_isConversionError_namingItsClass", py ->
                        conversionError(() -> py.call("hostile", "list_holding_a_thing"),
                                "cannot convert Python hostile.Thing to Java")),
                on(On.ISOLATED, "objectWhoseClassClaimsToBeAContainer_isConversionError_namingItsRealClass", py -> {
                    for (String kind : List.of("list", "dict", "set", "bytes")) {
                        conversionError(() -> py.call("hostile", "impostor", kind), "cannot convert Python hostile.Impostor to Java");
                    }
                }),
                on(On.ISOLATED, "dictWhoseItemsNeverReturn_timesOut_becauseConversionIsUnderTheDeadline", py ->
                        assertThrown(() -> py.call(PyCall.of("hostile", "dict_whose_items_never_return").timeout(Duration.ofSeconds(1))),
                                PyTimeoutException.class,
                                "hostile.dict_whose_items_never_return() did not finish within 1000 ms and was interrupted")),

                // ---------------------------------------------------------------- cycles and depth
                on(On.ISOLATED, "listContainingItself_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "self_list"),
                                "cannot convert a Python value nested deeper than 200 levels to Java (is it cyclic?)")),
                on(On.ISOLATED, "dictContainingItself_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "self_dict"),
                                "cannot convert a Python value nested deeper than 200 levels to Java (is it cyclic?)")),
                on(On.ISOLATED, "tenThousandDeepList_isConversionError", py ->
                        conversionError(() -> py.call("hostile", "nested_list", 10_000),
                                "cannot convert a Python value nested deeper than 200 levels to Java (is it cyclic?)")),
                on(On.ISOLATED, "twoHundredDeepList_convertsBothWays", py -> {
                    Object nested = "leaf";
                    for (int i = 0; i < 200; i++) {
                        nested = List.of(nested);
                    }
                    assertThat(py.call("hostile", "nested_list", 200)).isEqualTo(nested);
                    assertThat(py.call("hostile", "depth_of", nested)).isEqualTo(200L);
                }),
                on(On.ISOLATED, "javaListContainingItself_isConversionError", py -> {
                    List<Object> cyclic = new ArrayList<>();
                    cyclic.add(cyclic);
                    conversionError(() -> py.call("hostile", "echo", cyclic),
                            "cannot convert a Java value nested deeper than 200 levels to Python (is it cyclic?)");
                }),
                on(On.ISOLATED, "javaMapContainingItself_isConversionError", py -> {
                    Map<Object, Object> cyclic = new HashMap<>();
                    cyclic.put("self", cyclic);
                    conversionError(() -> py.call("hostile", "echo", cyclic),
                            "cannot convert a Java value nested deeper than 200 levels to Python (is it cyclic?)");
                }),
                on(On.ISOLATED, "tenThousandDeepJavaList_isConversionError", py -> {
                    Object nested = "leaf";
                    for (int i = 0; i < 10_000; i++) {
                        nested = List.of(nested);
                    }
                    Object deep = nested;
                    conversionError(() -> py.call("hostile", "depth_of", deep),
                            "cannot convert a Java value nested deeper than 200 levels to Python (is it cyclic?)");
                }),

                // ---------------------------------------------------------------- big values
                on(On.ISOLATED, "twentyMegabyteStringReturned_arrivesWhole", py ->
                        assertThat(py.call("hostile", "big_str", BIG)).isEqualTo("ab".repeat(BIG / 2))),
                on(On.ISOLATED, "twentyMegabyteBytesReturned_arriveWhole", py ->
                        assertThat((byte[]) py.call("hostile", "big_bytes", BIG)).isEqualTo(cycleOfAllBytes(BIG))),
                on(On.ISOLATED, "twentyMegabyteStringPassed_arrivesWhole", py ->
                        assertThat(py.call("hostile", "is_big_str", "ab".repeat(BIG / 2))).isEqualTo(List.of((long) BIG, true))),
                on(On.ISOLATED, "twentyMegabyteBytesPassed_arriveWhole", py ->
                        assertThat(py.call("hostile", "is_big_bytes", cycleOfAllBytes(BIG))).isEqualTo(List.of((long) BIG, "bytes", true))),

                // ---------------------------------------------------------------- raised by Python
                on(On.ISOLATED, "runawayRecursion_isRecursionError_withTheMiddleOfItsTracebackLeftOut", py -> {
                    PythonException e = pythonError(() -> py.call(PyCall.of("hostile", "recurse").timeout(Duration.ofSeconds(15))),
                            "RecursionError", "maximum recursion depth exceeded");
                    assertThat(e.traceback()).matches("(?s)Traceback \\(most recent call last\\):\n.*in recurse\n.*"
                            + "RecursionError: maximum recursion depth exceeded\n"
                            + "\\(hzpy: [1-9][0-9]* frames in the middle of this traceback are not shown\\)\n");
                }),
                on(On.ISOLATED, "sysExitWithACode_isSystemExit_carryingTheCode", py ->
                        pythonError(() -> py.call("hostile", "exit_with", 3), "SystemExit", "3")),
                on(On.ISOLATED, "sysExitWithAMessage_isSystemExit_carryingTheMessage", py ->
                        pythonError(() -> py.call("hostile", "exit_with", "msg"), "SystemExit", "msg")),
                on(On.ISOLATED, "raiseSystemExitWithAnyValue_isSystemExit_carryingStrOfIt", py -> {
                    pythonError(() -> py.call("hostile", "raise_system_exit", 7), "SystemExit", "7");
                    pythonError(() -> py.call("hostile", "raise_system_exit", Map.of("k", 1)), "SystemExit", "{'k': 1}");
                    pythonError(() -> py.call("hostile", "raise_system_exit", (Object) null), "SystemExit", "None");
                }),
                on(On.ISOLATED, "sysExitInEval_isSystemExit", py ->
                        pythonError(() -> py.eval("__import__('sys').exit(4)"), "SystemExit", "4")),
                on(On.HARDENING, "sysExitInExec_isSystemExit", py ->
                        pythonError(() -> py.exec("import sys\nsys.exit(5)"), "SystemExit", "5")),
                on(On.ISOLATED, "keyboardInterrupt_isAPythonException_notACancellation", py ->
                        pythonError(() -> py.call("hostile", "keyboard_interrupt"), "KeyboardInterrupt", "stop it")),
                on(On.ISOLATED, "osExit_isSystemExit_sayingTheMemberProcessStays", py -> {
                    PythonException e = pythonError(() -> py.call("hostile", "os_exit", 1), "SystemExit",
                            "os._exit(1) was called: hzpy does not let Python end the member process");
                    assertThat(e.traceback()).contains("in os_exit");
                    pythonError(() -> py.call("hostile", "posix_exit", 2), "SystemExit",
                            "os._exit(2) was called: hzpy does not let Python end the member process");
                }),
                on(On.ISOLATED, "raisingSigintInTheMember_isPermissionError_andTheMemberKeepsRunning", py -> {
                    pythonError(() -> py.call("hostile", "raise_sigint"), "PermissionError",
                            "signal.raise_signal() is denied: hzpy does not let Python signal the member process"
                                    + " or replace its signal handlers");
                    assertThat(TestMembers.isolated().getLifecycleService().isRunning()).isTrue();
                }),
                on(On.ISOLATED, "replacingTheMembersSignalHandlers_isPermissionError", py -> {
                    pythonError(() -> py.call("hostile", "ignore_sigterm"), "PermissionError",
                            "signal.signal() is denied: hzpy does not let Python signal the member process"
                                    + " or replace its signal handlers");
                    pythonError(() -> py.call("hostile", "alarm_in", 1), "PermissionError",
                            "signal.alarm() is denied: hzpy does not let Python signal the member process"
                                    + " or replace its signal handlers");
                }),
                on(On.ISOLATED, "exceptionWhoseStrRaises_isDescribedWithoutIt", py ->
                        pythonError(() -> py.call("hostile", "raise_bad_str"),
                                "hostile.BadStr", "<str() of the exception failed: ValueError>")),
                on(On.ISOLATED, "exceptionWhoseStrReturnsANonString_isDescribedWithoutIt", py ->
                        pythonError(() -> py.call("hostile", "raise_str_not_a_string"),
                                "hostile.StrNotAString", "<str() of the exception failed: TypeError>")),
                on(On.ISOLATED, "exceptionWhoseReprRaises_isDescribedByItsStr", py ->
                        pythonError(() -> py.call("hostile", "raise_bad_repr"), "hostile.BadRepr", "repr fails, str works")),
                on(On.ISOLATED, "exceptionWhoseStrNeverReturns_timesOutWithinTheCallsTimeout", py ->
                        assertThrown(() -> py.call(PyCall.of("hostile", "raise_endless_str").timeout(Duration.ofSeconds(1))),
                                PyTimeoutException.class, "hostile.raise_endless_str() raised an exception that could not be"
                                        + " described within 1000 ms (its __str__ or traceback formatting did not return)"
                                        + " and was interrupted")),
                on(On.ISOLATED, "raisingANonException_isTypeError", py ->
                        pythonError(() -> py.call("hostile", "raise_non_exception"),
                                "TypeError", "exceptions must derive from BaseException")),
                on(On.ISOLATED, "bareBaseException_isAPythonException", py ->
                        pythonError(() -> py.call("hostile", "raise_base_exception"), "BaseException", "bare base")),
                on(On.ISOLATED, "chainedException_keepsBothTracebacks", py -> {
                    PythonException e = pythonError(() -> py.call("hostile", "raise_chained"), "RuntimeError", "outer");
                    assertThat(e.traceback()).contains("KeyError: 'missing'",
                            "The above exception was the direct cause of the following exception:", "RuntimeError: outer");
                }),
                on(On.ISOLATED, "mathDomainError_isValueError", py ->
                        pythonError(() -> py.call("math", "sqrt", -1), "ValueError", "math domain error")),
                on(On.ISOLATED, "listRepeatBeyondTheIndexSize_isOverflowError", py ->
                        pythonError(() -> py.call("hostile", "huge_list_allocation"),
                                "OverflowError", "cannot fit 'int' into an index-sized integer")),

                // ---------------------------------------------------------------- Unicode
                on(On.ISOLATED, "invalidUtf8Decode_isUnicodeDecodeError_namingTheByte", py ->
                        pythonError(() -> py.call("hostile", "decode_invalid_utf8"), "UnicodeDecodeError",
                                "'utf-8' codec can't decode byte 0xff in position 3: malformed input")),
                on(On.ISOLATED, "surrogateescapeDecode_returnsTheLoneSurrogateExactly", py ->
                        assertThat(py.call("hostile", "decode_surrogateescape")).isEqualTo("ok \udcff")),
                on(On.ISOLATED, "loneSurrogateReturned_arrivesExactly", py ->
                        assertThat(py.call("hostile", "lone_surrogate")).isEqualTo("a\ud800b")),
                on(On.ISOLATED, "loneSurrogatesPassed_arriveAsThoseCodePoints", py -> {
                    assertThat(py.call("hostile", "code_points", "a\ud800b")).isEqualTo(List.of(97L, 0xd800L, 98L));
                    assertThat(py.call("hostile", "code_points", "\udc00\ud800")).isEqualTo(List.of(0xdc00L, 0xd800L));
                    assertThat(py.call("hostile", "echo", "a\ud800b")).isEqualTo("a\ud800b");
                }),
                on(On.ISOLATED, "loneSurrogateEncodedToUtf8_isUnicodeEncodeError", py ->
                        pythonError(() -> py.eval("s.encode()", Map.of("s", "a\ud800")), "UnicodeEncodeError",
                                "'utf-8' codec can't encode character '\\ud800' in position 1: malformed input")),
                on(On.ISOLATED, "surrogatePairOfCodePointsReturned_isConversionError_butTheCharacterItselfConverts", py -> {
                    conversionError(() -> py.call("hostile", "surrogate_pair_code_points"),
                            "cannot convert a Python str holding a high and a low surrogate code point in a row to Java");
                    assertThat(py.eval("'?\\U0001F40D'")).isEqualTo("?\uD83D\uDC0D");
                }),
                on(On.ISOLATED, "exceptionMessageWithALoneSurrogate_keepsIt", py ->
                        pythonError(() -> py.call("hostile", "raise_with_lone_surrogate"), "ValueError", "bad \udc80 char")),
                on(On.ISOLATED, "unicodeIdentifiers_work_asFunctionLocalAndKeywordNames", py -> {
                    assertThat(py.call("hostile", "größe", 4)).isEqualTo(8L);
                    assertThat(py.eval("π * 2", Map.of("π", 1.5))).isEqualTo(3.0);
                    assertThat(py.call(PyCall.of("hostile", "größe").kwargs(Map.of("x", "é")))).isEqualTo("éé");
                }),

                // ---------------------------------------------------------------- timeouts
                on(On.ISOLATED, "oneNanosecondTimeout_isTimeout_andThePythonNeverStarts", py -> {
                    assertThrown(() -> py.call(PyCall.of("hostile", "ping").timeout(Duration.ofNanos(1))), PyTimeoutException.class,
                            "hostile.ping() did not start: its timeout of 1 ns had passed before a Python context could run it");
                    assertThrown(() -> py.eval("1", null, Duration.ofNanos(1)), PyTimeoutException.class,
                            "eval() did not start: its timeout of 1 ns had passed before a Python context could run it");
                    Throwable async = catchThrowable(() -> py.callAsync(PyCall.of("hostile", "ping").timeout(Duration.ofNanos(1)))
                            .toCompletableFuture().get());
                    assertThat(async).isExactlyInstanceOf(ExecutionException.class);
                    assertThat(async.getCause()).isExactlyInstanceOf(PyTimeoutException.class).hasMessage(
                            "hostile.ping() did not start: its timeout of 1 ns had passed before a Python context could run it");
                }),
                on(On.ISOLATED, "asyncCallOutcome_arrivesWithItsPermitAlreadyFree", py -> {
                    CompletableFuture<Object> call = py.callAsync(PyCall.of("hostile", "nap", 0.2)).toCompletableFuture();
                    int[] permitsWhenDelivered = {-1};
                    CompletableFuture<Object> seen = call.whenComplete((r, e) -> permitsWhenDelivered[0] = py.semaphore().current());

                    assertThat(seen.get()).isEqualTo("rested");
                    assertThat(permitsWhenDelivered[0]).isZero();
                }),
                on(On.ISOLATED, "threeHundredYearAndLongestTimeouts_doNotOverflow", py -> {
                    Duration centuries = Duration.ofDays(365 * 300);
                    Duration longest = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
                    assertThat(py.call(PyCall.of("hostile", "ping").timeout(centuries))).isEqualTo("pong");
                    assertThat(py.call(PyCall.of("hostile", "ping").timeout(longest))).isEqualTo("pong");
                    assertThat(py.eval("1 + 1", null, centuries)).isEqualTo(2L);
                    assertThat(py.callAsync(PyCall.of("hostile", "ping").timeout(longest)).toCompletableFuture().get())
                            .isEqualTo("pong");
                }),
                on(On.ISOLATED, "zeroOrNegativeTimeout_isIllegalArgument", py -> {
                    assertThrown(() -> PyCall.of("hostile", "ping").timeout(Duration.ZERO), IllegalArgumentException.class,
                            "timeout must be positive, was PT0S");
                    assertThrown(() -> py.eval("1", null, Duration.ofMillis(-1)), IllegalArgumentException.class,
                            "timeout must be positive, was PT-0.001S");
                }),

                // ---------------------------------------------------------------- stopped runtime
                on(On.ISOLATED, "callsOnAStoppedRouter_areUnavailable_untilItStartsAgain", py -> {
                    HazelcastInstance own = TestMembers.startOwn("hardening");
                    try {
                        Py ownPy = TestMembers.py(own);
                        ownPy.contexts().stop();
                        String stopped = "the hzpy context router is stopped; call contexts().start(n)";
                        assertThrown(() -> ownPy.call("hostile", "ping"), PyUnavailableException.class, stopped);
                        assertThrown(() -> ownPy.eval("1"), PyUnavailableException.class, stopped);
                        assertThat(ownPy.semaphore().current()).isZero();

                        ownPy.contexts().start(1);

                        assertThat(ownPy.call("hostile", "ping")).isEqualTo("pong");
                    } finally {
                        own.shutdown();
                    }
                }),
                on(On.ISOLATED, "callsAfterTheMemberShutDown_areUnavailable_namingTheRuntime", py -> {
                    HazelcastInstance own = TestMembers.startOwn("hardening");
                    Py ownPy = Py.on(own);
                    String name = own.getName();
                    own.shutdown();

                    String closed = "the hzpy runtime of hzpy-" + name + " is closed";
                    assertThrown(() -> ownPy.call("hostile", "ping"), PyUnavailableException.class, closed);
                    assertThrown(() -> ownPy.eval("1"), PyUnavailableException.class, closed);
                    assertThrown(() -> ownPy.exec("x = 1"), PyUnavailableException.class, closed);
                    Throwable async = catchThrowable(() -> ownPy.callAsync(PyCall.of("hostile", "ping")).toCompletableFuture().get());
                    assertThat(async.getCause()).isExactlyInstanceOf(PyUnavailableException.class).hasMessage(closed);
                    assertThrown(() -> Py.on(own), PyUnavailableException.class, name + " is not running");
                    assertThat(ownPy.semaphore().current()).isZero();
                }),

                // ---------------------------------------------------------------- numbers
                on(On.ISOLATED, "nanAndInfinities_passBothWaysExactly", py -> {
                    assertThat(py.call("hostile", "float_text", Double.NaN)).isEqualTo("nan");
                    assertThat(py.call("hostile", "float_text", Float.NaN)).isEqualTo("nan");
                    assertThat(py.call("hostile", "float_text", Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
                    assertThat(py.eval("float('nan')")).isEqualTo(Double.NaN);
                    assertThat(py.eval("float('-inf')")).isEqualTo(Double.NEGATIVE_INFINITY);
                }),
                on(On.ISOLATED, "intsBeyondLong_areBigIntegers_bothWays_evenPastPythonsDigitLimit", py -> {
                    BigInteger huge = BigInteger.TEN.pow(5000);
                    assertThat(py.call("hostile", "big_power", 20)).isEqualTo(BigInteger.TEN.pow(20));
                    assertThat(py.call("hostile", "big_power", 5000)).isEqualTo(huge);
                    assertThat(py.call("hostile", "int_hex", BigInteger.TWO.pow(64))).isEqualTo("0x10000000000000000");
                    assertThat(py.call("hostile", "int_hex", huge)).isEqualTo("0x" + huge.toString(16));
                    assertThat(py.call("hostile", "echo", huge.negate())).isEqualTo(huge.negate());
                }),

                // ---------------------------------------------------------------- containers
                on(On.ISOLATED, "nonStringDictKeys_keepTheirTypes", py -> {
                    Map<?, ?> m = (Map<?, ?>) py.call("hostile", "odd_keys");
                    List<Object> keys = new ArrayList<>(m.keySet());
                    assertThat(keys).hasSize(6);
                    assertThat(keys.subList(0, 5)).containsExactly(1L, 2.5, null, List.of(1L, "a"), Set.of(3L));
                    assertThat(keys.get(5)).isInstanceOf(byte[].class);
                    assertThat((byte[]) keys.get(5)).containsExactly('k');
                    assertThat(m.get(1L)).isEqualTo("bool-is-1"); // True == 1 in Python: one key
                }),
                on(On.ISOLATED, "setsFrozensetsAndTuples_becomeSetsAndLists", py ->
                        assertThat(py.eval("[{1, 2}, frozenset({3}), (4, (5,)), ()]"))
                                .isEqualTo(List.of(Set.of(1L, 2L), Set.of(3L), List.of(4L, List.of(5L)), List.of()))),
                on(On.ISOLATED, "bytesAndBytearray_bothBecomeByteArrays_andByteArraysBecomeBytes", py -> {
                    assertThat((byte[]) py.eval("b'\\x00\\xff'")).containsExactly(0, 255);
                    assertThat((byte[]) py.eval("bytearray(b'\\x01')")).containsExactly(1);
                    assertThat(py.call("hostile", "type_of", (Object) new byte[] {1})).isEqualTo("bytes");
                    assertThat(py.call("hostile", "echo", (Object) new Byte[] {1, 2})).isEqualTo(List.of(1L, 2L));
                }),
                on(On.ISOLATED, "javaPrimitiveArraysOtherThanBytes_areConversionErrors_namingTheType", py -> {
                    conversionError(() -> py.call("hostile", "echo", (Object) new int[] {1}), "cannot convert Java int[] to Python");
                    conversionError(() -> py.call("hostile", "echo", (Object) new char[] {'a'}), "cannot convert Java char[] to Python");
                }),
                on(On.ISOLATED, "unsupportedJavaTypes_areConversionErrors_namingTheClass", py -> {
                    conversionError(() -> py.call("hostile", "echo", new ArrayDeque<>(List.of(1))),
                            "cannot convert Java java.util.ArrayDeque to Python");
                    conversionError(() -> py.call("hostile", "echo", Optional.empty()),
                            "cannot convert Java java.util.Optional to Python");
                })
        );
    }

    // ------------------------------------------------------------------ helpers

    private static Named<Case> on(On member, String name, Check check) {
        return Named.of(name, new Case(member, check));
    }

    private static PythonException pythonError(ThrowingCallable call, String type, String message) {
        Throwable t = catchThrowable(call);
        assertThat(t).isExactlyInstanceOf(PythonException.class);
        PythonException e = (PythonException) t;
        assertThat(e.pythonType()).isEqualTo(type);
        assertThat(e.message()).isEqualTo(message);
        assertThat(e.getMessage()).isEqualTo(type + (message.isEmpty() ? "" : ": " + message));
        return e;
    }

    private static void conversionError(ThrowingCallable call, String messageStart) {
        assertThat(catchThrowable(call)).isExactlyInstanceOf(PyConversionException.class).hasMessageStartingWith(messageStart);
    }

    private static void assertThrown(ThrowingCallable call, Class<? extends Throwable> type, String message) {
        assertThat(catchThrowable(call)).isExactlyInstanceOf(type).hasMessage(message);
    }

    private static byte[] cycleOfAllBytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

}
