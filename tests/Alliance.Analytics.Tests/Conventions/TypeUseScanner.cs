using System.Collections.ObjectModel;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Alliance.Analytics.Tests.Conventions;

/// <summary>One use of a type: <see cref="Used"/> appears in <see cref="Member"/> of <see cref="User"/>.</summary>
/// <param name="User">The scanned type (the outermost one when nested types were folded into it).</param>
/// <param name="Member">Where the use was seen: a member name ("Read"; "&lt;Read&gt;d__5/MoveNext" inside a nested
/// type), or "(type)" for the declaration itself.</param>
/// <param name="Used">The type used; never an array, by-ref, pointer or constructed generic (those are unwrapped).</param>
/// <param name="InBody">True when the use was found in a method body (IL, locals, catch clauses), false for signatures.</param>
internal readonly record struct TypeUse(Type User, string Member, Type Used, bool InBody);

/// <summary>
/// Finds every type a type uses, from its signatures and from the IL of its method bodies.
/// </summary>
/// <remarks>
/// Signatures: base type, interfaces, generic arguments and constraints, attributes (including <c>typeof</c>
/// arguments), fields, properties, events, method parameters and returns. Bodies: local variable types, catch
/// clauses, and every type, method or field token an instruction names (<c>newobj</c>, <c>call</c>, <c>ldsfld</c>,
/// <c>castclass</c>, <c>ldtoken</c> …), so a <c>new X()</c> or a static call that no signature shows still counts.
/// Nested types (closures, lambdas, iterator and async state machines are nested types the compiler writes) are
/// scanned as part of the outermost type that declares them, so their uses belong to that type.
/// Tokens that cannot be resolved are not skipped silently: they are collected in <see cref="Unresolved"/>.
/// What the compiler inlines leaves no token and cannot be seen: the value of a <c>const</c> (or an enum member)
/// of another type, a default argument at a call site, <c>nameof</c>. Such a use usually comes with a visible one
/// (a local or parameter of the enum's type); a bare constant shared across namespaces would go unnoticed.
/// </remarks>
internal sealed class TypeUseScanner
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every opcode of the runtime, by its value, built once from the public fields of <see cref="OpCodes"/>.</summary>
    /// <remarks>Two-byte opcodes (prefix 0xFE) have values 0xFE00 | second byte, stored as a (negative) short.</remarks>
    private static readonly IReadOnlyDictionary<short, OpCode> OpCodeByValue = BuildOpCodeTable();

    private readonly List<TypeUse> _uses = [];
    private readonly List<string> _unresolved = [];

    /// <summary>True while the body of a method is being scanned, so uses are marked <see cref="TypeUse.InBody"/>.</summary>
    private bool _inBody;

    /// <summary>The uses found so far, in the order they were seen.</summary>
    public IReadOnlyList<TypeUse> Uses => _uses;

    /// <summary>Tokens or attributes that could not be resolved, with the method and the reason.</summary>
    public IReadOnlyList<string> Unresolved => _unresolved;

    /// <summary>Scans <paramref name="type"/> and, recursively, every type nested in it; uses are recorded against <paramref name="type"/>.</summary>
    public void Scan(Type type) => ScanInto(type, owner: type);

    private void ScanInto(Type type, Type owner)
    {
        // Members of a nested type are named "Nested/Member", so a use inside a closure still says where it is.
        string prefix = NestedPath(type, owner);
        string declaration = type == owner ? "(type)" : prefix.TrimEnd('/');
        AddAttributes(owner, declaration, type.GetCustomAttributesData);
        if (type.BaseType is { } baseType) Add(owner, declaration, baseType);
        foreach (var implemented in type.GetInterfaces()) Add(owner, declaration, implemented);
        AddGenericParameters(owner, declaration, type.IsGenericTypeDefinition ? type.GetGenericArguments() : []);

        foreach (var field in type.GetFields(Declared))
        {
            string fieldName = prefix + field.Name;
            Add(owner, fieldName, field.FieldType);
            AddAttributes(owner, fieldName, field.GetCustomAttributesData);
        }
        foreach (var property in type.GetProperties(Declared))
        {
            string propertyName = prefix + property.Name;
            Add(owner, propertyName, property.PropertyType);
            foreach (var index in property.GetIndexParameters()) Add(owner, propertyName, index.ParameterType);
            AddAttributes(owner, propertyName, property.GetCustomAttributesData);
        }
        foreach (var @event in type.GetEvents(Declared))
        {
            if (@event.EventHandlerType is { } handler) Add(owner, prefix + @event.Name, handler);
            AddAttributes(owner, prefix + @event.Name, @event.GetCustomAttributesData);
        }
        // Methods include property and event accessors; constructors include the static constructor (.cctor).
        foreach (var method in type.GetMethods(Declared)) ScanMethod(owner, method);
        foreach (var constructor in type.GetConstructors(Declared)) ScanMethod(owner, constructor);

        foreach (var nested in type.GetNestedTypes(Declared)) ScanInto(nested, owner);
    }

    private void ScanMethod(Type owner, MethodBase method)
    {
        string member = NestedPath(method.DeclaringType!, owner) + method.Name;
        AddAttributes(owner, member, method.GetCustomAttributesData);
        if (method is MethodInfo info)
        {
            Add(owner, member, info.ReturnType);
            AddAttributes(owner, member, info.ReturnParameter.GetCustomAttributesData);
        }
        foreach (var parameter in method.GetParameters())
        {
            Add(owner, member, parameter.ParameterType);
            AddAttributes(owner, member, parameter.GetCustomAttributesData);
        }
        if (method.IsGenericMethodDefinition) AddGenericParameters(owner, member, method.GetGenericArguments());

        if (method.GetMethodBody() is not { } body) return; // abstract, extern or interface method: no IL
        _inBody = true;
        try
        {
            foreach (var local in body.LocalVariables) Add(owner, member, local.LocalType);
            foreach (var clause in body.ExceptionHandlingClauses)
                if (clause.Flags == ExceptionHandlingClauseOptions.Clause && clause.CatchType is { } caught)
                    Add(owner, member, caught);
            if (body.GetILAsByteArray() is { } il) ScanIl(owner, member, method, il);
        }
        finally
        {
            _inBody = false;
        }
    }

    /// <summary>Walks the instruction stream and resolves the metadata token of every instruction that carries one.</summary>
    private void ScanIl(Type owner, string member, MethodBase method, byte[] il)
    {
        // Tokens inside a generic type or method refer to its parameters (!0, !!0); Resolve* needs them to decode
        // signatures such as List<T>..ctor. Passing the definitions' own parameters is what the runtime expects.
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var module = method.Module;

        int position = 0;
        while (position < il.Length)
        {
            int start = position;
            short value = il[position++];
            if (value == 0xFE)
            {
                if (position >= il.Length) throw new InvalidOperationException($"{Describe(method)}: IL ends inside a two-byte opcode");
                value = unchecked((short)(0xFE00 | il[position++]));
            }
            if (!OpCodeByValue.TryGetValue(value, out var opCode))
                throw new InvalidOperationException($"{Describe(method)}: unknown opcode 0x{value & 0xFFFF:X} at IL offset {start}");

            switch (opCode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR:
                case OperandType.InlineString or OperandType.InlineSig:
                    // Strings name no type; a calli signature (InlineSig) only appears with function pointers.
                    position += 4;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                case OperandType.InlineSwitch:
                    int targets = BitConverter.ToInt32(il, position);
                    position += 4 + 4 * targets;
                    break;
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    int token = BitConverter.ToInt32(il, position);
                    position += 4;
                    ResolveToken(owner, member, method, module, token, opCode, typeArguments, methodArguments);
                    break;
                default:
                    throw new InvalidOperationException($"{Describe(method)}: operand type {opCode.OperandType} of {opCode.Name} not handled");
            }
        }
    }

    private void ResolveToken(Type owner, string member, MethodBase method, Module module, int token, OpCode opCode,
        Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            switch (opCode.OperandType)
            {
                case OperandType.InlineType:
                    Add(owner, member, module.ResolveType(token, typeArguments, methodArguments));
                    break;
                case OperandType.InlineMethod:
                    AddMember(owner, member, module.ResolveMethod(token, typeArguments, methodArguments));
                    break;
                case OperandType.InlineField:
                    AddMember(owner, member, module.ResolveField(token, typeArguments, methodArguments));
                    break;
                default: // InlineTok (ldtoken): a type, a method or a field
                    var resolved = module.ResolveMember(token, typeArguments, methodArguments);
                    if (resolved is Type type) Add(owner, member, type);
                    else AddMember(owner, member, resolved);
                    break;
            }
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException
                                       or FileNotFoundException or FileLoadException or MissingMemberException)
        {
            _unresolved.Add($"{Describe(method)}: {opCode.Name} token 0x{token:X8}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A method or field named in a body: its declaring type, and the type arguments of a generic method.</summary>
    /// <remarks>
    /// Parameter and return types of the callee are not counted: what the caller does with them shows up in its own
    /// locals and tokens, and counting them would charge a caller for types it never names.
    /// </remarks>
    private void AddMember(Type owner, string member, MemberInfo? used)
    {
        if (used?.DeclaringType is { } declaring) Add(owner, member, declaring);
        if (used is MethodInfo { IsGenericMethod: true } generic && !generic.IsGenericMethodDefinition)
            foreach (var argument in generic.GetGenericArguments()) Add(owner, member, argument);
    }

    private void AddGenericParameters(Type owner, string member, Type[] parameters)
    {
        foreach (var parameter in parameters)
            foreach (var constraint in parameter.GetGenericParameterConstraints()) Add(owner, member, constraint);
    }

    private void AddAttributes(Type owner, string member, Func<IList<CustomAttributeData>> read)
    {
        IList<CustomAttributeData> attributes;
        try { attributes = read(); }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException)
        {
            _unresolved.Add($"{owner.FullName}.{member}: attributes: {e.GetType().Name}: {e.Message}");
            return;
        }
        foreach (var attribute in attributes)
        {
            Add(owner, member, attribute.AttributeType);
            foreach (var argument in attribute.ConstructorArguments) AddAttributeArgument(owner, member, argument);
            foreach (var named in attribute.NamedArguments) AddAttributeArgument(owner, member, named.TypedValue);
        }
    }

    /// <summary>A <c>typeof(X)</c> in an attribute argument (alone or in an array) uses X.</summary>
    private void AddAttributeArgument(Type owner, string member, CustomAttributeTypedArgument argument)
    {
        Add(owner, member, argument.ArgumentType);
        if (argument.Value is Type type) Add(owner, member, type);
        else if (argument.Value is ReadOnlyCollection<CustomAttributeTypedArgument> elements)
            foreach (var element in elements) AddAttributeArgument(owner, member, element);
    }

    /// <summary>Records <paramref name="used"/> after unwrapping arrays, by-refs, pointers and constructed generics.</summary>
    private void Add(Type owner, string member, Type used)
    {
        if (used.HasElementType)
        {
            Add(owner, member, used.GetElementType()!);
            return;
        }
        if (used.IsGenericParameter) return; // T itself names nothing; its constraints are scanned where it is declared
        if (used.IsFunctionPointer)
        {
            Add(owner, member, used.GetFunctionPointerReturnType());
            foreach (var parameter in used.GetFunctionPointerParameterTypes()) Add(owner, member, parameter);
            return;
        }
        if (used.IsConstructedGenericType)
        {
            Add(owner, member, used.GetGenericTypeDefinition());
            foreach (var argument in used.GetGenericArguments()) Add(owner, member, argument);
            return;
        }
        _uses.Add(new TypeUse(owner, member, used, _inBody));
    }

    /// <summary>"Inner/" for a type nested in <paramref name="owner"/>, "" for the owner itself: the start of a member's name.</summary>
    private static string NestedPath(Type type, Type owner) =>
        type == owner || type.DeclaringType is null ? "" : NestedPath(type.DeclaringType, owner) + type.Name + "/";

    private static string Describe(MethodBase method) => $"{method.DeclaringType?.FullName}.{method.Name}";

    private static Dictionary<short, OpCode> BuildOpCodeTable()
    {
        var table = new Dictionary<short, OpCode>();
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
            if (field.GetValue(null) is OpCode opCode)
                table[opCode.Value] = opCode;
        return table;
    }

    /// <summary>The outermost type that declares <paramref name="type"/> (itself when it is not nested).</summary>
    public static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } declaring) type = declaring;
        return type;
    }

    /// <summary>True for types only the compiler writes (closures, anonymous types, &lt;PrivateImplementationDetails&gt; …).</summary>
    public static bool IsCompilerGenerated(Type type) =>
        type.Name.StartsWith('<') || type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
}
